namespace Billing.Application.Payments;

/// <summary>A created Checkout Session: its id, the page to send the customer to and when Stripe expires it (when known).</summary>
public sealed record HostedCheckoutSession(string SessionId, Uri Url, DateTimeOffset? ExpiresAt = null);
