namespace Billing.Stripe.Checkout;

/// <summary><c>subscription_data[trial_settings]</c>.</summary>
public sealed record CheckoutTrialSettings
{
    public required CheckoutTrialEndBehavior EndBehavior { get; init; }
}
