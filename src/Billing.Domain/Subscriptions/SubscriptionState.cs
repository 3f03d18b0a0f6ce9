using Billing.Domain.Metering;
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

    /// <summary>
    /// When the subscription became past_due/unpaid (the Stripe time of the first such state seen); kept when it was then
    /// canceled (its access ended with the grace period, not at the cancellation); null otherwise.
    /// </summary>
    public DateTimeOffset? PastDueSince { get; init; }

    /// <summary>The Stripe time this state reflects; an older snapshot never overwrites it.</summary>
    public required DateTimeOffset StripeStateAsOf { get; init; }

    /// <summary>
    /// The usage period this state ended early when it was applied (<c>SubscriptionSnapshotResult.EndedEarly</c>), with
    /// its real end, kept while Stripe's reads of the subscription say the same: a delivery that stored the state and
    /// stopped before moving the period's end has the move finished by the event's redelivery (a duplicate, or the same
    /// state read again later), which otherwise finds nothing left to end. Not Stripe's content: never part of a
    /// comparison of two reads.
    /// </summary>
    public UsagePeriod? PeriodEndedEarly { get; init; }

    /// <summary>Not over yet: neither a terminal status nor an <c>ended_at</c>. An unknown status counts as live.</summary>
    public bool IsLive => !Status.IsTerminal && EndedAt is null;

    /// <summary>When a scheduled cancellation ends it (<see cref="CancellationTime"/>); null when none is scheduled.</summary>
    public DateTimeOffset? CancelsAt => CancellationTime(CancelAtPeriodEnd, CurrentPeriodEnd, CancelAt);

    /// <summary>
    /// The earlier of <c>cancel_at</c> and, with <c>cancel_at_period_end</c>, the period end: when Stripe ends the
    /// subscription, whether or not its cancellation has been reported yet. One rule for entitlements, checkout and
    /// the claim of two subscriptions on one account.
    /// </summary>
    public static DateTimeOffset? CancellationTime(bool cancelAtPeriodEnd, DateTimeOffset? periodEnd, DateTimeOffset? cancelAt)
    {
        DateTimeOffset? atPeriodEnd = cancelAtPeriodEnd ? periodEnd : null;
        return (atPeriodEnd, cancelAt) switch
        {
            ({ } a, { } b) => a < b ? a : b,
            ({ } a, null) => a,
            (null, { } b) => b,
            _ => null,
        };
    }

    /// <summary>Whether a subscription in these terms may still grant access at <paramref name="asOf"/>: not past its scheduled cancellation.</summary>
    public static bool CanGrantAccess(SubscriptionStatus status, DateTimeOffset? cancelsAt, DateTimeOffset asOf) =>
        (status.IsInGoodStanding || status.IsDelinquent) && !(cancelsAt <= asOf);

    /// <summary>
    /// How strongly this subscription claims the account, used when a snapshot of a different subscription arrives:
    /// 2 = may grant access (active, trialing, past_due, unpaid, and not past a scheduled cancellation as of
    /// <see cref="StripeStateAsOf"/>), 1 = live without access (incomplete, paused, unknown, or past its cancellation
    /// time while Stripe has not ended it yet), 0 = over.
    /// </summary>
    internal int Claim => !IsLive ? 0 : CanGrantAccess(Status, CancelsAt, StripeStateAsOf) ? AccessClaim : 1;

    internal const int AccessClaim = 2;
}
