namespace Billing.Stripe.Checkout;

/// <summary><c>subscription_data[billing_mode]</c> (classic or flexible).</summary>
public sealed record CheckoutBillingMode
{
    public required string Type { get; init; }
}
