namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

public sealed record LocalTrialResponse(string Plan, DateTimeOffset StartedAt, DateTimeOffset EndsAt, bool Running);
