using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Accounts;

/// <summary>The stored billing account (<c>type</c> = account), id <c>account:{accountId}</c>.</summary>
internal sealed record AccountDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public required long Version { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public string? StripeCustomerId { get; init; }

    public DateTimeOffset? TrialUsedAt { get; init; }

    public LocalTrialDocument? LocalTrial { get; init; }

    /// <summary>Bought add-ons (absent when none); an older version keeps them as unknown fields.</summary>
    public IReadOnlyList<MeterAddOnDocument>? AddOns { get; init; }

    public SubscriptionDocument? Subscription { get; init; }

    /// <summary>The account's <c>RenewsBy</c>, kept in step with the subscription on every write; what the missed-event sweep queries (range index).</summary>
    public DateTimeOffset? RenewsBy { get; init; }

    public int CustomerGeneration { get; init; }

    public IReadOnlyList<string>? FormerStripeCustomerIds { get; init; }

    public OpenCheckoutDocument? OpenCheckout { get; init; }

    public string? LastPaidPlan { get; init; }

    /// <summary>True once any subscription was seen active (absent otherwise); a document written before it reads <see cref="LastPaidPlan"/> instead.</summary>
    public bool? EverPaid { get; init; }

    public IReadOnlyList<DuplicateSubscriptionDocument>? DuplicateSubscriptions { get; init; }

    /// <summary>Payments taken back before their purchase was applied (absent when none); an older version keeps them as unknown fields.</summary>
    public IReadOnlyList<EarlyReversalDocument>? EarlyReversals { get; init; }
}
