namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>A customer portal session: send the browser to <see cref="Url"/> (short-lived, single use).</summary>
public sealed record PortalResponse(Uri Url);
