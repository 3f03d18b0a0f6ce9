namespace Billing.Application.Payments;

/// <summary>A created portal session: the page to send the customer to (short-lived, single use).</summary>
public sealed record HostedPortalSession(string SessionId, Uri Url);
