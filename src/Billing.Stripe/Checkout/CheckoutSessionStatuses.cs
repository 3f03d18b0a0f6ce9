namespace Billing.Stripe.Checkout;

/// <summary>Values of a session's <c>status</c>.</summary>
public static class CheckoutSessionStatuses
{
    public const string Open = "open";
    public const string Complete = "complete";
    public const string Expired = "expired";
}
