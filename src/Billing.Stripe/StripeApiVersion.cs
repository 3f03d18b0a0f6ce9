namespace Billing.Stripe;

/// <summary>The one place the Stripe API version is pinned. Sent as <c>Stripe-Version</c> on every request;
/// webhook endpoints must be created with the same version so event payloads have the shapes this library parses.</summary>
public static class StripeApiVersion
{
    public const string Current = "2026-07-29.dahlia";
}
