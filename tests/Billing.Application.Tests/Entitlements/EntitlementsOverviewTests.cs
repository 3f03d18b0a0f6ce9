using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;
using static Billing.Application.Tests.Fakes.UsageTestBed;

namespace Billing.Application.Tests.Entitlements;

public sealed class EntitlementsOverviewTests
{
    private readonly UsageTestBed _bed = new();

    [Fact]
    public void A_new_account_is_free()
    {
        Assert.Equal(EntitlementReason.Free, ReasonAt(BillingAccount.Open(NewAccountId(), Start), Start));
    }

    [Fact]
    public void A_running_local_trial_and_then_its_end()
    {
        var trial = BillingAccount.Open(NewAccountId(), Start).StartLocalTrial(_bed.Catalog, Start).Account;

        Assert.Equal(EntitlementReason.LocalTrial, ReasonAt(trial, Start.AddDays(1)));
        Assert.Equal(EntitlementReason.FreeFallback, ReasonAt(trial, Start.AddDays(TestCatalog.LocalTrialDays)));
    }

    [Fact]
    public async Task A_paid_subscription_and_a_subscription_in_its_trial()
    {
        var (active, _) = _bed.Subscribe(TestCatalog.BasicMonthly);
        var (trialing, _) = _bed.Subscribe(TestCatalog.BasicMonthly, SubscriptionStatus.Trialing);

        Assert.Equal(EntitlementReason.Subscription, ReasonAt(await AccountAsync(active), Start));
        Assert.Equal(EntitlementReason.SubscriptionTrial, ReasonAt(await AccountAsync(trialing), Start));
    }

    [Fact]
    public async Task A_failed_payment_keeps_the_plan_for_the_grace_period_then_falls_back_to_free()
    {
        var (pastDue, _) = _bed.Subscribe(TestCatalog.ProMonthly, SubscriptionStatus.PastDue);
        var account = await AccountAsync(pastDue);

        Assert.Equal(EntitlementReason.GracePeriod, ReasonAt(account, Start.AddDays(1)));
        Assert.Equal(EntitlementReason.FreeFallback, ReasonAt(account, Start.AddDays(3)));
    }

    [Theory]
    [InlineData("incomplete")]
    [InlineData("incomplete_expired")]
    public async Task A_checkout_that_was_never_paid_is_free_not_a_fallback(string status)
    {
        var (incomplete, _) = _bed.Subscribe(TestCatalog.ProMonthly, SubscriptionStatus.From(status));

        Assert.Equal(EntitlementReason.Free, ReasonAt(await AccountAsync(incomplete), Start));
    }

    [Fact]
    public async Task A_canceled_subscription_falls_back_to_free()
    {
        var (canceled, _) = _bed.Subscribe(TestCatalog.ProMonthly, SubscriptionStatus.Canceled);

        Assert.Equal(EntitlementReason.FreeFallback, ReasonAt(await AccountAsync(canceled), Start));
    }

    [Fact]
    public async Task A_former_paying_customer_whose_new_checkout_was_never_paid_falls_back_to_free()
    {
        var (id, _) = _bed.Subscribe(TestCatalog.ProMonthly);
        _bed.ChangePlan(id, TestCatalog.ProMonthly, SubscriptionStatus.Canceled);
        var canceled = await AccountAsync(id);
        var unpaid = new SubscriptionSnapshot
        {
            SubscriptionId = "sub_unpaid" + Guid.NewGuid().ToString("N")[..8],
            CustomerId = canceled.Subscription!.CustomerId,
            Status = SubscriptionStatus.Incomplete,
            PriceId = TestCatalog.BasicMonthly,
            Interval = BillingInterval.Month,
            CurrentPeriodStart = Start,
            CurrentPeriodEnd = Start.AddMonths(1),
            AsOf = Start.AddMinutes(1),
        };

        var result = canceled.ApplySubscriptionSnapshot(unpaid, _bed.Catalog, TimeSpan.Zero);

        // It paid once (api.md: free is "no subscription or trial ever"), whatever its newest subscription is.
        Assert.Equal((SubscriptionSnapshotOutcome.Applied, "sub_unpaid"), (result.Outcome, result.Account.Subscription!.SubscriptionId[..10]));
        Assert.Equal(EntitlementReason.FreeFallback, ReasonAt(result.Account, Start.AddMinutes(2)));
    }

    [Fact]
    public async Task The_view_lists_every_meter_with_the_units_held_and_every_feature()
    {
        var (account, _) = _bed.Subscribe(TestCatalog.ProMonthly);
        _bed.AllocationLedger.Hold(account, Projects, "p1", "p2");

        var view = await _bed.Overview.GetAsync(account, CancellationToken.None);

        Assert.Equal((account, Start, EntitlementReason.Subscription, "PRO"), (view.AccountId, view.AsOf, view.Reason, view.Entitlement.Plan.Code.Value));
        Assert.Equal(
            [(AgentRuns, MeterKind.Consumption, (long?)null, (long?)1_000), (Tokens, MeterKind.Consumption, null, 100_000), (ApiCalls, MeterKind.Consumption, null, null), (Projects, MeterKind.Allocation, 2, 20)],
            view.Meters.Select(m => (m.Policy.Meter, m.Kind, m.Held, m.Policy.Quota)));
        Assert.Equal(new Dictionary<FeatureName, bool> { [FeatureName.Parse("sso")] = true, [FeatureName.Parse("priority_support")] = true }, view.Features);
    }

    [Fact]
    public async Task An_unregistered_account_reads_as_free_holding_nothing_and_is_not_created()
    {
        var unknown = NewAccountId();

        var view = await _bed.Overview.GetAsync(unknown, CancellationToken.None);

        Assert.Equal((EntitlementReason.Free, "FREE"), (view.Reason, view.Entitlement.Plan.Code.Value));
        Assert.Equal(((long?)0, (long?)1), (view.Meters[3].Held, view.Meters[3].Policy.Quota));
        Assert.All(view.Features.Values, Assert.False);
        Assert.Null(await _bed.Accounts.GetAsync(unknown, CancellationToken.None));
    }

    [Fact]
    public async Task A_named_account_must_be_a_well_formed_registered_one()
    {
        var (registered, _) = _bed.Subscribe(TestCatalog.ProMonthly);

        Assert.Contains("accountId", Assert.IsType<Invalid<EntitlementsView>>(await _bed.Overview.GetRegisteredAsync("a/b", CancellationToken.None)).Errors.Fields);
        Assert.IsType<Refused<EntitlementsView>>(await _bed.Overview.GetRegisteredAsync(NewAccountId().Value, CancellationToken.None));
        var view = Assert.IsType<Succeeded<EntitlementsView>>(await _bed.Overview.GetRegisteredAsync(registered.Value, CancellationToken.None)).Value;
        Assert.Equal((registered, EntitlementReason.Subscription), (view.AccountId, view.Reason));
    }

    [Fact]
    public async Task Without_allocation_meters_no_allocation_is_read()
    {
        var options = TestCatalog.Options();
        options.AllocationMeters.Clear();
        foreach (var plan in options.Plans)
        {
            plan.Meters.Remove("projects");
        }

        var bed = new UsageTestBed(options);

        var view = await bed.Overview.GetAsync(bed.Register(), CancellationToken.None);

        Assert.All(view.Meters, m => Assert.Equal(MeterKind.Consumption, m.Kind));
        Assert.Equal(0, bed.AllocationLedger.HeldReads);
    }

    private EntitlementReason ReasonAt(BillingAccount account, DateTimeOffset now) =>
        EntitlementsOverview.ReasonFor(account, _bed.Entitlements.Evaluate(account, now));

    private async Task<BillingAccount> AccountAsync(AccountId id) => (await _bed.Accounts.GetAsync(id, CancellationToken.None))!;
}
