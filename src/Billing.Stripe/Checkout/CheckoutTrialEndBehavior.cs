namespace Billing.Stripe.Checkout;

/// <summary><c>trial_settings[end_behavior]</c>: what happens at trial end without a payment method.</summary>
public sealed record CheckoutTrialEndBehavior
{
    /// <summary>cancel, create_invoice or pause.</summary>
    public required string MissingPaymentMethod { get; init; }
}
