namespace Billing.Stripe.Checkout;

/// <summary><c>subscription_data</c> of a subscription-mode session.</summary>
public sealed record CheckoutSubscriptionData
{
    public int? TrialPeriodDays { get; init; }

    public CheckoutTrialSettings? TrialSettings { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public string? Description { get; init; }

    /// <summary>create_prorations or none.</summary>
    public string? ProrationBehavior { get; init; }

    public CheckoutBillingMode? BillingMode { get; init; }
}
