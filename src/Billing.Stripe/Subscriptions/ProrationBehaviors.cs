namespace Billing.Stripe.Subscriptions;

/// <summary>Values of <c>proration_behavior</c>.</summary>
public static class ProrationBehaviors
{
    public const string AlwaysInvoice = "always_invoice";
    public const string CreateProrations = "create_prorations";
    public const string None = "none";
}
