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

/// <summary><c>subscription_data[trial_settings]</c>.</summary>
public sealed record CheckoutTrialSettings
{
    public required CheckoutTrialEndBehavior EndBehavior { get; init; }
}

/// <summary><c>trial_settings[end_behavior]</c>: what happens at trial end without a payment method.</summary>
public sealed record CheckoutTrialEndBehavior
{
    /// <summary>cancel, create_invoice or pause.</summary>
    public required string MissingPaymentMethod { get; init; }
}

/// <summary><c>subscription_data[billing_mode]</c> (classic or flexible).</summary>
public sealed record CheckoutBillingMode
{
    public required string Type { get; init; }
}
