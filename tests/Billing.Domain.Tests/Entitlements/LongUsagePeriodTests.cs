using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.Domain.Tests.Accounts;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Entitlements;

/// <summary>Windows longer than a month other than annual periods (long trials, long first periods) are counted in monthly slices; a month or less never is.</summary>
public sealed class LongUsagePeriodTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(7);
    private static readonly DateTimeOffset Start = TestAccounts.PeriodStart; // 2026-11-10 10:00

    private readonly PlanCatalog _catalog = TestCatalog.Create();

    [Fact]
    public void A_60_day_Stripe_trial_on_a_monthly_price_gets_a_monthly_quota_each_month()
    {
        var end = Start.AddDays(60); // 2027-01-09 10:00
        var account = Subscribed(Start, end, SubscriptionStatus.Trialing);

        var day20 = Evaluate(account, Start.AddDays(20));
        Assert.Equal((Start, Start.AddMonths(1), "sub-20261110T100000Z"), (day20.PeriodStart, day20.PeriodEnd, day20.PeriodKey.Value));
        Assert.Equal(day20.Period, Evaluate(account, Start.AddMonths(1).AddTicks(-1)).Period);

        var day35 = Evaluate(account, Start.AddDays(35));
        Assert.Equal(EntitlementSource.Subscription, day35.Source);
        Assert.Equal((Start.AddMonths(1), end, "sub-20261210T100000Z"), (day35.PeriodStart, day35.PeriodEnd, day35.PeriodKey.Value));
    }

    [Fact]
    public void A_45_day_local_trial_gets_a_monthly_quota_each_month_under_trial_keys()
    {
        var end = Start.AddDays(45); // 2026-12-25 10:00
        var account = TestAccounts.New() with { LocalTrial = new LocalTrial { PlanCode = PlanCode.Parse("TRIAL"), StartedAt = Start, EndsAt = end } };

        var day20 = Evaluate(account, Start.AddDays(20));
        Assert.Equal(EntitlementSource.LocalTrial, day20.Source);
        Assert.Equal((Start, Start.AddMonths(1), "trial-20261110T100000Z"), (day20.PeriodStart, day20.PeriodEnd, day20.PeriodKey.Value));

        var day35 = Evaluate(account, Start.AddDays(35));
        Assert.Equal((Start.AddMonths(1), end, "trial-20261210T100000Z"), (day35.PeriodStart, day35.PeriodEnd, day35.PeriodKey.Value));
        Assert.Equal(end, day35.EndsAt);
    }

    [Fact]
    public void A_first_monthly_period_longer_than_a_month_is_sliced_from_its_start_and_its_renewal_projected_from_its_end()
    {
        var start = At(2027, 1, 31, 8);
        var end = start.AddDays(45); // 2027-03-17 08:00
        var account = Subscribed(start, end);

        var last = Evaluate(account, start.AddDays(40));
        Assert.Equal((At(2027, 2, 28, 8), end, "sub-20270228T080000Z"), (last.PeriodStart, last.PeriodEnd, last.PeriodKey.Value));

        var projected = Evaluate(account, end.AddDays(1));
        Assert.Equal((end, end.AddMonths(1)), (projected.PeriodStart, projected.PeriodEnd));
    }

    [Fact]
    public void A_monthly_period_anchored_on_the_31st_is_never_split()
    {
        // Stripe's periods for an anchor on Jan 31: Feb 28, then Mar 31. Feb 28 + 1 month is Mar 28: the period must not end there.
        foreach (var (start, end) in new[] { (At(2027, 1, 31, 8), At(2027, 2, 28, 8)), (At(2027, 2, 28, 8), At(2027, 3, 31, 8)), (At(2027, 3, 31, 8), At(2027, 4, 30, 8)) })
        {
            var account = Subscribed(start, end);
            var entitlement = Evaluate(account, end.AddTicks(-1));
            Assert.Equal((start, end), (entitlement.PeriodStart, entitlement.PeriodEnd));
        }

        // The same periods when the renewals are projected from the first one.
        var first = Subscribed(At(2027, 1, 31, 8), At(2027, 2, 28, 8));
        var march = Evaluate(first, At(2027, 3, 30));
        Assert.Equal((At(2027, 2, 28, 8), At(2027, 3, 31, 8)), (march.PeriodStart, march.PeriodEnd));
    }

    [Fact]
    public void A_trial_of_31_days_is_one_period_even_across_february()
    {
        var start = At(2027, 2, 1, 8);
        var end = start.AddDays(31); // 2027-03-04 08:00: longer than Feb 1 + 1 month, no longer than the longest month
        var account = TestAccounts.New() with { LocalTrial = new LocalTrial { PlanCode = PlanCode.Parse("TRIAL"), StartedAt = start, EndsAt = end } };

        var entitlement = Evaluate(account, end.AddTicks(-1));
        Assert.Equal((start, end), (entitlement.PeriodStart, entitlement.PeriodEnd));
    }

    private static DateTimeOffset At(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    private Entitlement Evaluate(BillingAccount account, DateTimeOffset now) => account.EntitlementAt(_catalog, now, Grace);

    private BillingAccount Subscribed(DateTimeOffset periodStart, DateTimeOffset periodEnd, SubscriptionStatus? status = null)
    {
        var snapshot = TestAccounts.Snapshot(periodStart, status, priceId: TestCatalog.BasicMonthly) with
        {
            CurrentPeriodStart = periodStart,
            CurrentPeriodEnd = periodEnd,
            TrialStart = status == SubscriptionStatus.Trialing ? periodStart : null,
            TrialEnd = status == SubscriptionStatus.Trialing ? periodEnd : null,
        };
        var result = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero);
        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        Assert.Equal(BillingInterval.Month, result.Account.Subscription!.Interval);
        return result.Account;
    }
}
