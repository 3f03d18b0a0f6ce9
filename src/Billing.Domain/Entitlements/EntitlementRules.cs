using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.Domain.Entitlements;

/// <summary>
/// The effective entitlement as a pure function of the account, the catalog, the time and the grace period:
/// <list type="bullet">
/// <item>active/trialing subscription -> its plan, until <c>cancel_at</c> or (with cancel_at_period_end) the period end;</item>
/// <item>past_due/unpaid -> for the grace period from <c>PastDueSince</c> the lower of the subscription's plan and the
/// plan last paid for (<see cref="BillingAccount.LastPaidPlan"/>; lower = listed earlier in the catalog), so neither a
/// failed upgrade nor a scheduled downgrade whose renewal failed hands out the higher plan; then free;</item>
/// <item>canceled, incomplete, incomplete_expired, paused, ended, unknown statuses, prices not in the catalog -> no access from the subscription;</item>
/// <item>otherwise a running local trial -> the trial plan; otherwise the free plan.</item>
/// </list>
/// Usage period (the window consumption counters belong to), always at most a month long:
/// <list type="bullet">
/// <item>a subscription -> its current period; a period longer than <see cref="UsagePeriod.LongestLength"/> (an annual
/// period, a trial of more than a month on a monthly price) -> the monthly slice of it that contains the time: slice k
/// is [start + k months, start + k + 1 months), always counted from the period start (a Jan 31 start gives Feb 28/29,
/// then Mar 31), the last slice ending at the period end; its key is the slice's start;</item>
/// <item>when Stripe's renewal has not been seen yet (the time is past the period end), the period is projected by
/// whole intervals from the billing cycle anchor (the period start of a whole-interval period, else its end; a trial's
/// end always), and then sliced when longer than a month;</item>
/// <item>a subscription without period data, or without an interval once the period has ended -> the calendar month in UTC;</item>
/// <item>a local trial -> the trial window, sliced the same way when longer than a month (keys from the slice start);
/// the free plan -> the calendar month in UTC.</item>
/// </list>
/// </summary>
public static class EntitlementRules
{
    private const int MaxProjectedIntervals = 1200;

    public static Entitlement Evaluate(BillingAccount account, PlanCatalog catalog, DateTimeOffset now, TimeSpan pastDueGracePeriod)
    {
        ArgumentNullException.ThrowIfNull(account);
        var entitlement = EvaluatePlan(account, catalog, now, pastDueGracePeriod);
        if (account.AddOns.Count == 0)
        {
            return entitlement;
        }

        var applied = account.AddOns.Where(a => a.AppliesAt(now, entitlement.PeriodKey)).OrderBy(a => a.GrantedAt).ToList();
        var ended = account.AddOns.Where(a => a.EndedDuring(entitlement.Period, now)).OrderBy(a => a.GrantedAt).ToList();
        return applied.Count == 0 && ended.Count == 0 ? entitlement : entitlement with { AddOns = applied, EndedAddOns = ended };
    }

    private static Entitlement EvaluatePlan(BillingAccount account, PlanCatalog catalog, DateTimeOffset now, TimeSpan pastDueGracePeriod)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentOutOfRangeException.ThrowIfLessThan(pastDueGracePeriod, TimeSpan.Zero);

        if (account.Subscription is { } subscription && FromSubscription(subscription, account.LastPaidPlan, catalog, now, pastDueGracePeriod) is { } paid)
        {
            return paid;
        }

        var overdue = account.Subscription is { } standing ? OverduePlan(standing, catalog, now) : null;
        if (account.LocalTrial is { } trial && trial.IsRunningAt(now) && (catalog.Find(trial.PlanCode) ?? catalog.TrialPlan) is { } trialPlan)
        {
            return new Entitlement
            {
                Plan = trialPlan,
                Source = EntitlementSource.LocalTrial,
                Period = UsagePeriodWithin(trial.StartedAt, trial.EndsAt, now, UsagePeriod.LocalTrial),
                EndsAt = trial.EndsAt,
                UnpaidPlan = overdue,
            };
        }

        var month = UsagePeriod.CalendarMonth(now);
        var accessEnded = Latest(account.Subscription is { } ended ? AccessEnded(ended, catalog, now, pastDueGracePeriod) : null, account.LocalTrial?.EndsAt);
        return new Entitlement
        {
            Plan = catalog.FreePlan,
            Source = EntitlementSource.Free,
            Period = month,
            CountsFrom = accessEnded is { } end && end > month.Start && end <= now ? end : null,
            UnpaidPlan = overdue,
        };
    }

    /// <summary>
    /// The plan of a subscription that gives no access only because a payment is overdue past the grace period: it still
    /// stands (past_due or unpaid, not ended or cancelled), so paying gives its plan back, and no new Checkout can start
    /// meanwhile. Null otherwise.
    /// </summary>
    private static Plan? OverduePlan(SubscriptionState subscription, PlanCatalog catalog, DateTimeOffset now) =>
        subscription.Status.IsDelinquent && !(subscription.EndedAt <= now) && !(subscription.CancelsAt <= now) ? ResolvePlan(subscription, catalog) : null;

    /// <summary>
    /// When a subscription that no longer gives access stopped giving it: the first of its end, its cancellation time
    /// and its grace period's end that has passed; for a canceled one without any, when it was canceled (Stripe's
    /// <c>canceled_at</c>, unless that is only when a scheduled cancellation was asked for) or else when we learned it.
    /// Null when it never gave any (a price not in the catalog, a checkout never completed).
    /// </summary>
    private static DateTimeOffset? AccessEnded(SubscriptionState subscription, PlanCatalog catalog, DateTimeOffset now, TimeSpan grace)
    {
        if (ResolvePlan(subscription, catalog) is null)
        {
            return null;
        }

        DateTimeOffset? ended = null;
        foreach (var end in new[]
                 {
                     subscription.EndedAt,
                     subscription.CancelsAt,
                     subscription.Status.IsDelinquent ? (subscription.PastDueSince ?? subscription.StripeStateAsOf) + grace : subscription.PastDueSince + grace, // canceled after a failed payment: the grace end
                 })
        {
            if (end is { } at && at <= now && (ended is null || at < ended))
            {
                ended = at;
            }
        }

        if (ended is null && subscription.Status == SubscriptionStatus.Canceled)
        {
            ended = subscription.CancelsAt is null ? subscription.CanceledAt ?? subscription.StripeStateAsOf : subscription.StripeStateAsOf;
        }

        return ended; // the caller keeps it only when it has passed, within the month
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null || a >= b ? a : b;

    private static Entitlement? FromSubscription(SubscriptionState subscription, PlanCode? lastPaidPlan, PlanCatalog catalog, DateTimeOffset now, TimeSpan grace)
    {
        var plan = ResolvePlan(subscription, catalog);
        if (plan is null || (subscription.EndedAt is { } endedAt && now >= endedAt))
        {
            return null;
        }

        var cancelsAt = subscription.CancelsAt;
        if (cancelsAt is { } cancel && now >= cancel)
        {
            return null;
        }

        EntitlementSource source;
        Plan? unpaid = null;
        DateTimeOffset? endsAt = cancelsAt;
        if (subscription.Status.IsInGoodStanding)
        {
            source = EntitlementSource.Subscription;
        }
        else if (subscription.Status.IsDelinquent)
        {
            var graceEnds = (subscription.PastDueSince ?? subscription.StripeStateAsOf) + grace;
            if (now >= graceEnds)
            {
                return null;
            }

            source = EntitlementSource.GracePeriod;
            if (lastPaidPlan is { } paidCode && catalog.Find(paidCode) is { Kind: PlanKind.Paid } paidPlan && catalog.IsBelow(paidPlan, plan))
            {
                unpaid = plan;
                plan = paidPlan; // a failed upgrade: the lower plan paid for, never the higher one not paid for
            }

            endsAt = endsAt is { } c && c < graceEnds ? c : graceEnds;
        }
        else
        {
            return null;
        }

        return new Entitlement { Plan = plan, Source = source, Period = CurrentPeriod(subscription, now), EndsAt = endsAt, UnpaidPlan = unpaid };
    }

    private static Plan? ResolvePlan(SubscriptionState subscription, PlanCatalog catalog)
    {
        var plan = (subscription.PriceId is { } priceId ? catalog.FindPrice(priceId)?.Plan : null)
                   ?? (subscription.PlanCode is { } code ? catalog.Find(code) : null);
        return plan is { Kind: PlanKind.Paid } ? plan : null;
    }

    /// <summary>The usage period a subscription's usage is counted in at <paramref name="now"/> (the monthly slice of a period longer than a month).</summary>
    public static UsagePeriod SubscriptionUsagePeriod(SubscriptionState subscription, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return CurrentPeriod(subscription, now);
    }

    private static UsagePeriod CurrentPeriod(SubscriptionState subscription, DateTimeOffset now)
    {
        if (subscription.CurrentPeriodStart is not { } start || subscription.CurrentPeriodEnd is not { } end || end <= start)
        {
            return UsagePeriod.CalendarMonth(now);
        }

        if (now < end)
        {
            return UsagePeriodWithin(start, end, now, UsagePeriod.SubscriptionPeriod);
        }

        // Stripe renewed (or will renew) at `end` but that update has not arrived yet: the next period starts exactly
        // at `end`, so its key is already right; its end is our calendar estimate until Stripe's data arrives. Stripe
        // counts each period end from the billing cycle anchor, clamped to the month's last day (an anchor on the 31st
        // ends periods on Feb 28, then Mar 31), so when the current period is one whole interval from its start, that
        // start is the anchor to count from; otherwise (a first, shortened or moved period) the end is. A trial's end is
        // the anchor whatever its length: a 30-day trial from Mar 31 ends on Apr 30, one month on, and is followed by
        // periods ending on the 30th (May 30), not on the 31st. An interval the app does not know (a Stripe price billed
        // every 3 months or every week, whose plan the catalog learned after the subscription was applied) gives periods
        // as long as the last one, so the usage still goes to the period Stripe's renewal starts at `end`.
        Func<int, DateTimeOffset> boundary;
        if (subscription.Interval is { } interval)
        {
            var (anchor, offset) = subscription.TrialEnd != end && interval.Advance(start, 1) == end ? (start, 1) : (end, 0);
            boundary = k => k == 0 ? end : interval.Advance(anchor, offset + k);
        }
        else
        {
            var length = end - start;
            boundary = k => end + (length * k);
        }

        for (var k = 0; k < MaxProjectedIntervals; k++)
        {
            var projectedEnd = boundary(k + 1);
            if (now < projectedEnd)
            {
                return UsagePeriodWithin(boundary(k), projectedEnd, now, UsagePeriod.SubscriptionPeriod);
            }
        }

        return UsagePeriod.CalendarMonth(now);
    }

    /// <summary>
    /// The usage period inside the window [<paramref name="start"/>, <paramref name="end"/>) (a billing period, a local
    /// trial) at <paramref name="now"/>: the whole window when it is no longer than <see cref="UsagePeriod.LongestLength"/>
    /// (so no monthly period is ever split, whatever its anchor: Feb 28 to Mar 31 is one), otherwise its monthly slice,
    /// made by <paramref name="period"/> (which keys it by the slice start).
    /// </summary>
    private static UsagePeriod UsagePeriodWithin(DateTimeOffset start, DateTimeOffset end, DateTimeOffset now, Func<DateTimeOffset, DateTimeOffset, UsagePeriod> period)
    {
        if (end - start <= UsagePeriod.LongestLength)
        {
            return period(start, end);
        }

        // Each slice boundary is computed from the period start (not from the previous slice) so month-end anchors
        // survive short months. The slice count is bounded: the boundaries strictly increase until they reach `end`.
        for (var k = 0; ; k++)
        {
            var sliceStart = BillingInterval.Month.Advance(start, k);
            var sliceEnd = BillingInterval.Month.Advance(start, k + 1);
            if (sliceEnd >= end)
            {
                return period(sliceStart, end);
            }

            if (now < sliceEnd)
            {
                return period(sliceStart, sliceEnd);
            }
        }
    }
}
