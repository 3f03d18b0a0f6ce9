namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

public sealed record PlanSummaryResponse(string Code, string DisplayName, string Kind);
