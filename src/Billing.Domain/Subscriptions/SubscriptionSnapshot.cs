using Billing.Domain.Plans;

namespace Billing.Domain.Subscriptions;

/// <summary>
/// A Stripe subscription as seen at <see cref="AsOf"/>: read from the Stripe API, dated when the read began on the
/// reading instance's clock (never an event's copy with Stripe's <c>created</c>: the two clocks are not mixed).
/// Applied with <see cref="Accounts.BillingAccount.ApplySubscriptionSnapshot"/>.
/// </summary>
public sealed record SubscriptionSnapshot
{
    public required string SubscriptionId { get; init; }

    public required string CustomerId { get; init; }

    public required SubscriptionStatus Status { get; init; }

    /// <summary>The price of the subscription's first item.</summary>
    public string? PriceId { get; init; }

    /// <summary>The price's <c>recurring.interval</c> when it is month or year.</summary>
    public BillingInterval? Interval { get; init; }

    /// <summary>
    /// Every item's price, in Stripe's order (a merchant may add items beside the plan's): the plan is the first one the
    /// catalog knows, wherever it sits; empty when only <see cref="PriceId"/> was read.
    /// </summary>
    public IReadOnlyList<SubscriptionItemPrice> Items { get; init; } = [];

    /// <summary>From the subscription items (<c>items.data[].current_period_start</c>).</summary>
    public DateTimeOffset? CurrentPeriodStart { get; init; }

    public DateTimeOffset? CurrentPeriodEnd { get; init; }

    public bool CancelAtPeriodEnd { get; init; }

    public DateTimeOffset? CancelAt { get; init; }

    /// <summary>When a scheduled cancellation ends it (<see cref="SubscriptionState.CancellationTime"/>); null when none is scheduled.</summary>
    public DateTimeOffset? CancelsAt => SubscriptionState.CancellationTime(CancelAtPeriodEnd, CurrentPeriodEnd, CancelAt);

    public DateTimeOffset? CanceledAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public DateTimeOffset? TrialStart { get; init; }

    public DateTimeOffset? TrialEnd { get; init; }

    public string? LatestInvoiceId { get; init; }

    /// <summary>When Stripe created the subscription (<c>created</c>); orders two live subscriptions of one account.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>The Stripe time this snapshot reflects: when its read began, on the clock of the instance that read it.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>
    /// The <see cref="SubscriptionState.StripeStateAsOf"/> of the account state this snapshot was read after (set by
    /// <see cref="ReadAfter"/>); null for an ordinary read.
    /// </summary>
    public DateTimeOffset? ReadAfterStateAsOf { get; private init; }

    /// <summary>
    /// The subscription <paramref name="stored"/> describes, ended: what an account applies when Stripe answered a read
    /// of it, begun at <paramref name="readAt"/>, with "no such subscription" (its test data deleted, the key now of
    /// another Stripe account). Stripe keeps a subscription it canceled readable, so this is the read a deletion
    /// (<c>customer.subscription.deleted</c>) would give, without Stripe's details: status <c>canceled</c>, the stored
    /// terms otherwise, when it ended unknown (<see cref="EndedAt"/> null). Applied like any read
    /// (<see cref="Accounts.BillingAccount.ApplySubscriptionSnapshot"/>): a read of Stripe stored after
    /// <paramref name="readAt"/> wins over it, and a later read that finds the subscription again replaces it.
    /// </summary>
    public static SubscriptionSnapshot NoLongerInStripe(SubscriptionState stored, DateTimeOffset readAt)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return new SubscriptionSnapshot
        {
            SubscriptionId = stored.SubscriptionId,
            CustomerId = stored.CustomerId,
            Status = SubscriptionStatus.Canceled,
            PriceId = stored.PriceId,
            Interval = stored.Interval,
            CurrentPeriodStart = stored.CurrentPeriodStart,
            CurrentPeriodEnd = stored.CurrentPeriodEnd,
            CancelAtPeriodEnd = stored.CancelAtPeriodEnd,
            CancelAt = stored.CancelAt,
            CanceledAt = stored.CanceledAt,
            TrialStart = stored.TrialStart,
            TrialEnd = stored.TrialEnd,
            LatestInvoiceId = stored.LatestInvoiceId,
            AsOf = readAt,
        };
    }

    /// <summary>
    /// This read, known to have begun after the account's state dated <paramref name="storedAsOf"/> was stored (and so
    /// after that state was read): Stripe answered with at least that state, whatever the two instances' clocks say.
    /// Dated after it, so it orders after it for later snapshots too.
    /// </summary>
    public SubscriptionSnapshot ReadAfter(DateTimeOffset storedAsOf) => this with
    {
        ReadAfterStateAsOf = storedAsOf,
        AsOf = AsOf > storedAsOf ? AsOf : storedAsOf.AddTicks(1),
    };
}

/// <summary>One subscription item's price and its interval (month or year; null for any other), and its current period when read.</summary>
public sealed record SubscriptionItemPrice(string PriceId, BillingInterval? Interval)
{
    /// <summary>The item's <c>current_period_start</c>; items of a mixed-interval subscription each have their own.</summary>
    public DateTimeOffset? PeriodStart { get; init; }

    /// <summary>The item's <c>current_period_end</c>.</summary>
    public DateTimeOffset? PeriodEnd { get; init; }
}
