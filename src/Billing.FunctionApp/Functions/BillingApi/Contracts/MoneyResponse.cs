namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>An amount in integer minor units (cents for usd) of a lower-case ISO currency.</summary>
public sealed record MoneyResponse(long Amount, string Currency);
