namespace Billing.Stripe.Subscriptions;

/// <summary><c>POST /v1/subscriptions/{id}</c>: change items (plan change), proration, cancel at period end.</summary>
public sealed record SubscriptionUpdateRequest
{
    public IReadOnlyList<SubscriptionItemUpdate>? Items { get; init; }

    /// <summary>See <see cref="ProrationBehaviors"/>.</summary>
    public string? ProrationBehavior { get; init; }

    /// <summary>The instant prorations are computed for; send the same value as a preview to get the same amounts.</summary>
    public DateTimeOffset? ProrationDate { get; init; }

    public bool? CancelAtPeriodEnd { get; init; }

    /// <summary>See <see cref="PaymentBehaviors"/>.</summary>
    public string? PaymentBehavior { get; init; }

    public DateTimeOffset? TrialEnd { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public IReadOnlyList<string>? Expand { get; init; }
}
