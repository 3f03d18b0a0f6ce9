namespace Billing.Stripe.Checkout;

/// <summary><c>payment_intent_data</c> of a payment-mode session.</summary>
public sealed record CheckoutPaymentIntentData
{
    public string? Description { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>off_session or on_session: save the card for later charges.</summary>
    public string? SetupFutureUsage { get; init; }
}
