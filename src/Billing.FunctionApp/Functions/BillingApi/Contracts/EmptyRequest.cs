namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>The body of an endpoint that takes no input: empty or <c>{}</c>; any field is refused.</summary>
public sealed record EmptyRequest;
