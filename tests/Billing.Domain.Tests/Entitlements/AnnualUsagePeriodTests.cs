using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.Domain.Tests.Accounts;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Entitlements;

public sealed class AnnualUsagePeriodTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(7);
    private static readonly DateTimeOffset YearStart = TestAccounts.PeriodStart; // 2026-11-10 10:00

    private readonly PlanCatalog _catalog = TestCatalog.Create();

    [Fact]
    public void An_annual_subscription_counts_usage_in_the_monthly_slice_containing_now()
    {
        var account = SubscribedYearly(YearStart);

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
        var account = SubscribedYearly(YearStart);

        var first = Evaluate(account, YearStart);
        Assert.Equal(YearStart, first.PeriodStart);
        Assert.Equal(YearStart.AddMonths(1), first.PeriodEnd);
        Assert.Equal("sub-20261110T100000Z", first.PeriodKey.Value);

        var lastTick = Evaluate(account, YearStart.AddMonths(1).AddTicks(-1));
        Assert.Equal(first.Period, lastTick.Period);

        var boundary = Evaluate(account, YearStart.AddMonths(1));
        Assert.Equal(YearStart.AddMonths(1), boundary.PeriodStart);
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
    public void The_last_slice_ends_at_the_period_end()
    {
        var account = SubscribedYearly(YearStart);

        var last = Evaluate(account, At(2027, 11, 10, 9));
        Assert.Equal(At(2027, 10, 10, 10), last.PeriodStart);
        Assert.Equal(At(2027, 11, 10, 10), last.PeriodEnd);
        Assert.Equal("sub-20271010T100000Z", last.PeriodKey.Value);
    }

    [Fact]
    public void A_period_ending_before_a_full_month_has_a_shorter_last_slice()
    {
        var end = YearStart.AddMonths(11).AddDays(5);
        var account = SubscribedYearly(YearStart, end);

        var last = Evaluate(account, end.AddTicks(-1));
        Assert.Equal(YearStart.AddMonths(11), last.PeriodStart);
        Assert.Equal(end, last.PeriodEnd);
    }

    [Fact]
    public void An_annual_trial_shorter_than_a_month_is_one_slice()
    {
        var trialEnd = YearStart.AddDays(TestCatalog.BasicTrialDays);
        var account = SubscribedYearly(YearStart, trialEnd, SubscriptionStatus.Trialing);

        var during = Evaluate(account, YearStart.AddDays(3));
        Assert.Equal(YearStart, during.PeriodStart);
        Assert.Equal(trialEnd, during.PeriodEnd);
    }

    [Fact]
    public void A_renewal_not_yet_reported_projects_whole_years_then_takes_the_monthly_slice()
    {
        var end = YearStart.AddYears(1);
        var account = SubscribedYearly(YearStart);

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
        var account = SubscribedYearly(YearStart, status: SubscriptionStatus.PastDue, asOf: pastDueSince);

        var entitlement = Evaluate(account, pastDueSince.AddDays(2));
        Assert.Equal(EntitlementSource.GracePeriod, entitlement.Source);
        Assert.Equal(At(2027, 2, 10, 10), entitlement.PeriodStart);
        Assert.Equal(At(2027, 3, 10, 10), entitlement.PeriodEnd);
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

    private BillingAccount Apply(SubscriptionSnapshot snapshot)
    {
        var result = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero);
        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        return result.Account;
    }
}
