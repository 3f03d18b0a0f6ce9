using Billing.Domain.Plans;

namespace Billing.Domain.Subscriptions;

/// <summary>The account's Stripe subscription as of <see cref="StripeStateAsOf"/>.</summary>
public sealed record SubscriptionState
{
    public required string SubscriptionId { get; init; }

    public required string CustomerId { get; init; }

    public required SubscriptionStatus Status { get; init; }

    /// <summary>The catalog plan of <see cref="PriceId"/>; null when the price is not in the catalog.</summary>
    public PlanCode? PlanCode { get; init; }

    public string? PriceId { get; init; }

    public BillingInterval? Interval { get; init; }

    public DateTimeOffset? CurrentPeriodStart { get; init; }

    public DateTimeOffset? CurrentPeriodEnd { get; init; }

    public bool CancelAtPeriodEnd { get; init; }

    public DateTimeOffset? CancelAt { get; init; }

    public DateTimeOffset? CanceledAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public DateTimeOffset? TrialStart { get; init; }

    public DateTimeOffset? TrialEnd { get; init; }

    public string? LatestInvoiceId { get; init; }

    /// <summary>When the subscription became past_due/unpaid (the Stripe time of the first such state seen); null otherwise.</summary>
    public DateTimeOffset? PastDueSince { get; init; }

    /// <summary>The Stripe time this state reflects; an older snapshot never overwrites it.</summary>
    public required DateTimeOffset StripeStateAsOf { get; init; }

    /// <summary>Not over yet: neither a terminal status nor an <c>ended_at</c>. An unknown status counts as live.</summary>
    public bool IsLive => !Status.IsTerminal && EndedAt is null;

    /// <summary>
    /// How strongly this subscription claims the account, used when a snapshot of a different subscription arrives:
    /// 2 = may grant access (active, trialing, past_due, unpaid), 1 = live without access (incomplete, paused,
    /// unknown), 0 = over.
    /// </summary>
    internal int Claim => !IsLive ? 0 : Status.IsInGoodStanding || Status.IsDelinquent ? AccessClaim : 1;

    internal const int AccessClaim = 2;
}
