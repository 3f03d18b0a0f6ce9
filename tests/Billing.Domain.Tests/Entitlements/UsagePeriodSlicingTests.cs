using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.Domain.Tests.Accounts;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Entitlements;

/// <summary>
/// Windows longer than a month (a year's period, a long trial, a long first period) are counted in monthly slices from
/// their start; a month or less never is.
/// </summary>
public sealed class UsagePeriodSlicingTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(7);
    private static readonly DateTimeOffset Start = TestAccounts.PeriodStart; // 2026-11-10 10:00

    private readonly PlanCatalog _catalog = TestCatalog.Create();

    [Fact]
    public void An_annual_subscription_counts_usage_in_the_monthly_slice_containing_now()
    {
        var account = SubscribedYearly(Start);

        var midYear = Evaluate(account, At(2027, 4, 20));
        Assert.Equal(EntitlementSource.Subscription, midYear.Source);
        Assert.Equal("BASIC", midYear.Plan.Code.Value);
        Assert.Equal(At(2027, 4, 10, 10), midYear.PeriodStart);
        Assert.Equal(At(2027, 5, 10, 10), midYear.PeriodEnd);
        Assert.Equal("sub-20270410T100000Z", midYear.PeriodKey.Value);
        Assert.Null(midYear.EndsAt);
    }

    [Fact]
    public void The_first_slice_starts_with_the_period_and_shares_its_key()
    {
        var account = SubscribedYearly(Start);

        var first = Evaluate(account, Start);
        Assert.Equal(Start, first.PeriodStart);
        Assert.Equal(Start.AddMonths(1), first.PeriodEnd);
        Assert.Equal("sub-20261110T100000Z", first.PeriodKey.Value);

        var lastTick = Evaluate(account, Start.AddMonths(1).AddTicks(-1));
        Assert.Equal(first.Period, lastTick.Period);

        var boundary = Evaluate(account, Start.AddMonths(1));
        Assert.Equal(Start.AddMonths(1), boundary.PeriodStart);
        Assert.Equal("sub-20261210T100000Z", boundary.PeriodKey.Value);
    }

    [Fact]
    public void Slices_of_a_month_end_anchor_are_counted_from_the_period_start()
    {
        var start = At(2027, 1, 31, 8);
        var account = SubscribedYearly(start);

        var january = Evaluate(account, At(2027, 2, 15));
        Assert.Equal(start, january.PeriodStart);
        Assert.Equal(At(2027, 2, 28, 8), january.PeriodEnd);

        var february = Evaluate(account, At(2027, 3, 1));
        Assert.Equal(At(2027, 2, 28, 8), february.PeriodStart);
        Assert.Equal(At(2027, 3, 31, 8), february.PeriodEnd); // not Mar 28: each boundary is start + k months
        Assert.Equal("sub-20270228T080000Z", february.PeriodKey.Value);

        var march = Evaluate(account, At(2027, 3, 31, 8));
        Assert.Equal(At(2027, 3, 31, 8), march.PeriodStart);
        Assert.Equal(At(2027, 4, 30, 8), march.PeriodEnd);
        Assert.Equal("sub-20270331T080000Z", march.PeriodKey.Value);
    }

    [Fact]
    public void A_leap_year_february_slice_ends_on_the_29th()
    {
        var start = At(2028, 1, 31, 8);
        var account = SubscribedYearly(start);

        var january = Evaluate(account, At(2028, 2, 29));
        Assert.Equal(start, january.PeriodStart);
        Assert.Equal(At(2028, 2, 29, 8), january.PeriodEnd);

        var february = Evaluate(account, At(2028, 2, 29, 8));
        Assert.Equal(At(2028, 2, 29, 8), february.PeriodStart);
        Assert.Equal(At(2028, 3, 31, 8), february.PeriodEnd);
    }

    [Fact]
    public void A_period_anchored_on_february_29_slices_on_the_29th_and_ends_where_Stripe_says()
    {
        var start = At(2028, 2, 29, 8);
        var end = At(2029, 2, 28, 8); // Stripe's anniversary of Feb 29 in a common year
        var account = SubscribedYearly(start, end);

        var april = Evaluate(account, At(2028, 4, 30));
        Assert.Equal(At(2028, 4, 29, 8), april.PeriodStart);
        Assert.Equal(At(2028, 5, 29, 8), april.PeriodEnd);

        var last = Evaluate(account, At(2029, 2, 10));
        Assert.Equal(At(2029, 1, 29, 8), last.PeriodStart);
        Assert.Equal(end, last.PeriodEnd);
    }

    [Fact]
    public void A_monthly_period_a_day_longer_than_the_longest_month_is_sliced()
    {
        var account = Subscribed(At(2027, 1, 1), At(2027, 2, 2)); // 32 days (a first period, a moved anchor)

        Assert.Equal((At(2027, 1, 1), At(2027, 2, 1)), (Evaluate(account, At(2027, 1, 15)).PeriodStart, Evaluate(account, At(2027, 1, 15)).PeriodEnd));
        Assert.Equal((At(2027, 2, 1), At(2027, 2, 2)), (Evaluate(account, At(2027, 2, 1, 12)).PeriodStart, Evaluate(account, At(2027, 2, 1, 12)).PeriodEnd));
    }

    [Fact]
    public void The_last_slice_ends_at_the_period_end()
    {
        var account = SubscribedYearly(Start);

        var last = Evaluate(account, At(2027, 11, 10, 9));
        Assert.Equal(At(2027, 10, 10, 10), last.PeriodStart);
        Assert.Equal(At(2027, 11, 10, 10), last.PeriodEnd);
        Assert.Equal("sub-20271010T100000Z", last.PeriodKey.Value);
    }

    [Fact]
    public void A_period_ending_before_a_full_month_has_a_shorter_last_slice()
    {
        var end = Start.AddMonths(11).AddDays(5);
        var account = SubscribedYearly(Start, end);

        var last = Evaluate(account, end.AddTicks(-1));
        Assert.Equal(Start.AddMonths(11), last.PeriodStart);
        Assert.Equal(end, last.PeriodEnd);
    }

    [Fact]
    public void An_annual_trial_shorter_than_a_month_is_one_slice()
    {
        var trialEnd = Start.AddDays(TestCatalog.BasicTrialDays);
        var account = SubscribedYearly(Start, trialEnd, SubscriptionStatus.Trialing);

        var during = Evaluate(account, Start.AddDays(3));
        Assert.Equal(Start, during.PeriodStart);
        Assert.Equal(trialEnd, during.PeriodEnd);
    }

    [Fact]
    public void A_renewal_not_yet_reported_projects_whole_years_then_takes_the_monthly_slice()
    {
        var end = Start.AddYears(1);
        var account = SubscribedYearly(Start);

        var justAfter = Evaluate(account, end.AddMinutes(1));
        Assert.Equal(EntitlementSource.Subscription, justAfter.Source);
        Assert.Equal(end, justAfter.PeriodStart);
        Assert.Equal(end.AddMonths(1), justAfter.PeriodEnd);
        Assert.Equal("sub-20271110T100000Z", justAfter.PeriodKey.Value);

        var later = Evaluate(account, At(2027, 12, 15));
        Assert.Equal(At(2027, 12, 10, 10), later.PeriodStart);
        Assert.Equal(At(2028, 1, 10, 10), later.PeriodEnd);

        var secondYear = Evaluate(account, At(2029, 2, 1));
        Assert.Equal(At(2029, 1, 10, 10), secondYear.PeriodStart);
        Assert.Equal(At(2029, 2, 10, 10), secondYear.PeriodEnd);
        Assert.Equal("sub-20290110T100000Z", secondYear.PeriodKey.Value);
    }

    [Fact]
    public void A_projected_year_after_a_february_28_end_is_sliced_from_that_end()
    {
        var account = SubscribedYearly(At(2028, 2, 29, 8), At(2029, 2, 28, 8));

        var projected = Evaluate(account, At(2029, 3, 30));
        Assert.Equal(At(2029, 3, 28, 8), projected.PeriodStart);
        Assert.Equal(At(2029, 4, 28, 8), projected.PeriodEnd);
    }

    [Fact]
    public void A_delinquent_annual_subscription_keeps_slicing_during_the_grace_period()
    {
        var pastDueSince = At(2027, 3, 1);
        var account = SubscribedYearly(Start, status: SubscriptionStatus.PastDue, asOf: pastDueSince);

        var entitlement = Evaluate(account, pastDueSince.AddDays(2));
        Assert.Equal(EntitlementSource.GracePeriod, entitlement.Source);
        Assert.Equal(At(2027, 2, 10, 10), entitlement.PeriodStart);
        Assert.Equal(At(2027, 3, 10, 10), entitlement.PeriodEnd);
    }

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

    private BillingAccount SubscribedYearly(
        DateTimeOffset periodStart,
        DateTimeOffset? periodEnd = null,
        SubscriptionStatus? status = null,
        DateTimeOffset? asOf = null)
    {
        var snapshot = TestAccounts.Snapshot(asOf ?? periodStart, status, priceId: TestCatalog.BasicYearly) with
        {
            CurrentPeriodStart = periodStart,
            CurrentPeriodEnd = periodEnd ?? periodStart.AddYears(1),
        };
        var account = Apply(snapshot);
        Assert.Equal(BillingInterval.Year, account.Subscription!.Interval);
        return account;
    }

    private BillingAccount Subscribed(DateTimeOffset periodStart, DateTimeOffset periodEnd, SubscriptionStatus? status = null)
    {
        var snapshot = TestAccounts.Snapshot(periodStart, status, priceId: TestCatalog.BasicMonthly) with
        {
            CurrentPeriodStart = periodStart,
            CurrentPeriodEnd = periodEnd,
            TrialStart = status == SubscriptionStatus.Trialing ? periodStart : null,
            TrialEnd = status == SubscriptionStatus.Trialing ? periodEnd : null,
        };
        var account = Apply(snapshot);
        Assert.Equal(BillingInterval.Month, account.Subscription!.Interval);
        return account;
    }
    private BillingAccount Apply(SubscriptionSnapshot snapshot)
    {
        var result = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero);
        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        return result.Account;
    }
}
