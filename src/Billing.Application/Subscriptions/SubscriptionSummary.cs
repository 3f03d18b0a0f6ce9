using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Subscriptions;

namespace Billing.Application.Subscriptions;

/// <summary>Everything the billing page shows about the caller's account, as of <see cref="AsOf"/>.</summary>
public sealed record SubscriptionSummary
{
    public required AccountId AccountId { get; init; }

    public required DateTimeOffset AsOf { get; init; }

    /// <summary>The plan whose limits apply now, why, until when, and the usage period.</summary>
    public required Entitlement Entitlement { get; init; }

    /// <summary>The Stripe subscription as last seen (also when it no longer grants anything); null if never subscribed.</summary>
    public SubscriptionState? Subscription { get; init; }

    public LocalTrial? LocalTrial { get; init; }

    public DateTimeOffset? TrialUsedAt { get; init; }

    /// <summary>POST /trial would start a trial now.</summary>
    public required bool TrialAvailable { get; init; }

    /// <summary>The account has a Stripe customer, so the customer portal can be opened.</summary>
    public required bool HasStripeCustomer { get; init; }

    /// <summary>Every catalog meter in the current period, in catalog order.</summary>
    public required IReadOnlyList<MeterUsage> Usage { get; init; }
}
