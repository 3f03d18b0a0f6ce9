namespace Billing.Stripe.Meters;

/// <summary>Default payload keys of a meter.</summary>
public static class MeterEventPayloadKeys
{
    public const string StripeCustomerId = "stripe_customer_id";
    public const string Value = "value";
}
