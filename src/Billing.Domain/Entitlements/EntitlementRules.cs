using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.Domain.Entitlements;

/// <summary>
/// The effective entitlement as a pure function of the account, the catalog, the time and the grace period:
/// <list type="bullet">
/// <item>active/trialing subscription -> its plan, until <c>cancel_at</c> or (with cancel_at_period_end) the period end;</item>
/// <item>past_due/unpaid -> for the grace period from <c>PastDueSince</c> the plan last paid for
/// (<see cref="BillingAccount.LastPaidPlan"/>, so a failed upgrade never hands out the higher plan; the subscription's
/// plan when nothing was paid yet), then free;</item>
/// <item>canceled, incomplete, incomplete_expired, paused, ended, unknown statuses, prices not in the catalog -> no access from the subscription;</item>
/// <item>otherwise a running local trial -> the trial plan; otherwise the free plan.</item>
/// </list>
/// Usage period: the subscription's current period (projected by whole intervals when Stripe's renewal has not
/// been seen yet), the trial window for a local trial, else the calendar month in UTC.
/// </summary>
public static class EntitlementRules
{
    private const int MaxProjectedIntervals = 1200;

    public static Entitlement Evaluate(BillingAccount account, PlanCatalog catalog, DateTimeOffset now, TimeSpan pastDueGracePeriod)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentOutOfRangeException.ThrowIfLessThan(pastDueGracePeriod, TimeSpan.Zero);

        if (account.Subscription is { } subscription && FromSubscription(subscription, account.LastPaidPlan, catalog, now, pastDueGracePeriod) is { } paid)
        {
            return paid;
        }

        if (account.LocalTrial is { } trial && trial.IsRunningAt(now) && (catalog.Find(trial.PlanCode) ?? catalog.TrialPlan) is { } trialPlan)
        {
            return new Entitlement
            {
                Plan = trialPlan,
                Source = EntitlementSource.LocalTrial,
                Period = UsagePeriod.LocalTrial(trial.StartedAt, trial.EndsAt),
                EndsAt = trial.EndsAt,
            };
        }

        return new Entitlement { Plan = catalog.FreePlan, Source = EntitlementSource.Free, Period = UsagePeriod.CalendarMonth(now) };
    }

    private static Entitlement? FromSubscription(SubscriptionState subscription, PlanCode? lastPaidPlan, PlanCatalog catalog, DateTimeOffset now, TimeSpan grace)
    {
        var plan = ResolvePlan(subscription, catalog);
        if (plan is null || (subscription.EndedAt is { } endedAt && now >= endedAt))
        {
            return null;
        }

        var cancelsAt = CancellationTime(subscription);
        if (cancelsAt is { } cancel && now >= cancel)
        {
            return null;
        }

        EntitlementSource source;
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
            if (lastPaidPlan is { } paidCode && paidCode != plan.Code && catalog.Find(paidCode) is { Kind: PlanKind.Paid } paidPlan)
            {
                plan = paidPlan;
            }

            endsAt = endsAt is { } c && c < graceEnds ? c : graceEnds;
        }
        else
        {
            return null;
        }

        return new Entitlement { Plan = plan, Source = source, Period = CurrentPeriod(subscription, now), EndsAt = endsAt };
    }

    private static Plan? ResolvePlan(SubscriptionState subscription, PlanCatalog catalog)
    {
        var plan = (subscription.PriceId is { } priceId ? catalog.FindPrice(priceId)?.Plan : null)
                   ?? (subscription.PlanCode is { } code ? catalog.Find(code) : null);
        return plan is { Kind: PlanKind.Paid } ? plan : null;
    }

    private static DateTimeOffset? CancellationTime(SubscriptionState subscription)
    {
        DateTimeOffset? atPeriodEnd = subscription.CancelAtPeriodEnd ? subscription.CurrentPeriodEnd : null;
        return (atPeriodEnd, subscription.CancelAt) switch
        {
            ({ } a, { } b) => a < b ? a : b,
            ({ } a, null) => a,
            (null, { } b) => b,
            _ => null,
        };
    }

    private static UsagePeriod CurrentPeriod(SubscriptionState subscription, DateTimeOffset now)
    {
        if (subscription.CurrentPeriodStart is not { } start || subscription.CurrentPeriodEnd is not { } end || end <= start)
        {
            return UsagePeriod.CalendarMonth(now);
        }

        if (now < end)
        {
            return UsagePeriod.SubscriptionPeriod(start, end);
        }

        // Stripe renewed (or will renew) at `end` but that update has not arrived yet: the next period starts exactly
        // at `end`, so its key is already right; its end is our calendar estimate until Stripe's data arrives.
        if (subscription.Interval is not { } interval)
        {
            return UsagePeriod.CalendarMonth(now);
        }

        for (var k = 0; k < MaxProjectedIntervals; k++)
        {
            var projectedStart = interval.Advance(end, k);
            var projectedEnd = interval.Advance(end, k + 1);
            if (now < projectedEnd)
            {
                return UsagePeriod.SubscriptionPeriod(projectedStart, projectedEnd);
            }
        }

        return UsagePeriod.CalendarMonth(now);
    }
}
