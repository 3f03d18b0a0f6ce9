namespace Billing.Stripe.Checkout;

/// <summary>Values of <c>mode</c>.</summary>
public static class CheckoutSessionModes
{
    public const string Payment = "payment";
    public const string Setup = "setup";
    public const string Subscription = "subscription";
}
