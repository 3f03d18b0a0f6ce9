using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;

namespace Billing.Application.Tests.Subscriptions;

public sealed class SubscriptionOverviewTests
{
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");
    private static readonly MeterName Tokens = MeterName.Parse("tokens");
    private readonly AccountsTestBed _bed = new();
    private readonly AccountId _id = AccountsTestBed.NewAccountId();

    [Fact]
    public async Task A_new_user_gets_the_free_plan_for_the_calendar_month_and_nothing_is_written()
    {
        var summary = await _bed.Overview.GetAsync(_id, CancellationToken.None);

        Assert.Equal("FREE", summary.Entitlement.Plan.Code.Value);
        Assert.Equal(EntitlementSource.Free, summary.Entitlement.Source);
        Assert.Equal("month-2026-11", summary.Entitlement.PeriodKey.Value);
        Assert.True(summary.TrialAvailable);
        Assert.False(summary.HasStripeCustomer);
        Assert.Null(summary.Subscription);
        Assert.Equal([AgentRuns, Tokens, MeterName.Parse("api_calls")], summary.Usage.Select(u => u.Meter));
        Assert.Equal(10, summary.Usage[0].Quota);
        Assert.Equal(10, summary.Usage[0].Remaining);
        Assert.Equal(1_000, summary.Usage[1].Quota);
        Assert.Null(summary.Usage[2].Quota); // FREE does not limit API calls
        Assert.Null(await _bed.Accounts.GetAsync(_id, CancellationToken.None));
        Assert.Equal(0, _bed.Accounts.Writes);
    }

    [Fact]
    public async Task Usage_of_the_current_period_is_read_against_the_plans_limits()
    {
        _bed.Usage.Set(_id, UsagePeriod.CalendarMonth(_bed.Time.GetUtcNow()), AgentRuns, 12);

        var summary = await _bed.Overview.GetAsync(_id, CancellationToken.None);

        var runs = summary.Usage[0];
        Assert.Equal(12, runs.Used);
        Assert.Equal(0, runs.Remaining);
        Assert.Equal(MeterEnforcement.HardLimit, runs.Enforcement);
        Assert.Equal(0, runs.OverageUnits);
    }

    [Fact]
    public async Task A_subscription_shows_its_plan_status_period_cancellation_and_overage()
    {
        var account = _bed.Seed(_id, a => _bed.WithSubscription(
            AccountsTestBed.WithCustomer(a),
            SubscriptionStatus.Active,
            s => s with { PriceId = TestCatalog.ProMonthly, CancelAtPeriodEnd = true }));
        var period = UsagePeriod.SubscriptionPeriod(account.Subscription!.CurrentPeriodStart!.Value, account.Subscription.CurrentPeriodEnd!.Value);
        _bed.Usage.Set(_id, period, AgentRuns, 1_250);

        var summary = await _bed.Overview.GetAsync(_id, CancellationToken.None);

        Assert.Equal("PRO", summary.Entitlement.Plan.Code.Value);
        Assert.Equal(EntitlementSource.Subscription, summary.Entitlement.Source);
        Assert.Equal(period.Key, summary.Entitlement.PeriodKey);
        Assert.Equal(period.End, summary.Entitlement.EndsAt); // cancels at period end
        Assert.True(summary.Subscription!.CancelAtPeriodEnd);
        Assert.True(summary.HasStripeCustomer);
        Assert.False(summary.TrialAvailable);
        var runs = summary.Usage[0];
        Assert.Equal(250, runs.OverageUnits);
        Assert.Equal(new Money(750, Currency.Parse("usd")), runs.OverageCharge);
        Assert.Equal(period.Key, _bed.Usage.LastReadKey);
    }

    [Fact]
    public async Task No_trial_is_offered_when_the_catalog_has_no_trial_plan()
    {
        var bed = new AccountsTestBed(withTrialPlan: false); // POST /trial refuses every account: TrialNotOffered

        var summary = await bed.Overview.GetAsync(_id, CancellationToken.None);

        Assert.False(summary.TrialAvailable);
    }

    [Fact]
    public async Task An_overage_meter_with_nothing_counted_yet_shows_a_zero_charge_not_none()
    {
        _bed.Seed(_id, a => _bed.WithSubscription(
            AccountsTestBed.WithCustomer(a),
            SubscriptionStatus.Active,
            s => s with { PriceId = TestCatalog.ProMonthly }));

        var summary = await _bed.Overview.GetAsync(_id, CancellationToken.None); // no usage document for the period

        Assert.Equal((0, new Money(0, Currency.Parse("usd"))), (summary.Usage[0].OverageUnits, summary.Usage[0].OverageCharge));
    }

    [Fact]
    public async Task A_started_local_trial_shows_with_when_the_trial_was_used()
    {
        await _bed.Trials.StartAsync(_id, CancellationToken.None);
        var account = await _bed.Accounts.GetAsync(_id, CancellationToken.None);

        var summary = await _bed.Overview.GetAsync(_id, CancellationToken.None);

        Assert.Equal((account!.LocalTrial, AccountsTestBed.Start), (summary.LocalTrial, summary.TrialUsedAt));
        Assert.NotNull(summary.LocalTrial);
    }

    [Fact]
    public async Task A_customer_without_a_subscription_can_open_the_portal()
    {
        _bed.Seed(_id, a => AccountsTestBed.WithCustomer(a)); // a Checkout provisioned the customer and was never completed

        var summary = await _bed.Overview.GetAsync(_id, CancellationToken.None);

        Assert.Equal((true, null), (summary.HasStripeCustomer, summary.Subscription));
    }

    [Fact]
    public async Task Each_account_sees_only_its_own_state()
    {
        var other = AccountsTestBed.NewAccountId();
        _bed.Seed(other, a => _bed.WithSubscription(AccountsTestBed.WithCustomer(a), SubscriptionStatus.Active));
        _bed.Usage.Set(other, UsagePeriod.CalendarMonth(_bed.Time.GetUtcNow()), AgentRuns, 7);

        var mine = await _bed.Overview.GetAsync(_id, CancellationToken.None);

        Assert.Equal(_id, mine.AccountId);
        Assert.Equal(EntitlementSource.Free, mine.Entitlement.Source);
        Assert.Equal(0, mine.Usage[0].Used);
    }
}
