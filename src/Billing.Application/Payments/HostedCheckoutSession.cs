namespace Billing.Application.Payments;

/// <summary>A created Checkout Session: its id and the page to send the customer to.</summary>
public sealed record HostedCheckoutSession(string SessionId, Uri Url);
