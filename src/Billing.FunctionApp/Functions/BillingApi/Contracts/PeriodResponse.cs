namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>[Start, End).</summary>
public sealed record PeriodResponse(DateTimeOffset Start, DateTimeOffset End);
