using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.Domain.Pricing;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Plans;

public sealed class PlanCatalogTests
{
    private readonly PlanCatalog _catalog = TestCatalog.Create();

    [Theory]
    [InlineData("PRO", true)]
    [InlineData("PRO\n", false)]
    public void Plan_codes_are_upper_case_identifiers_with_nothing_after_them(string value, bool valid)
    {
        Assert.Equal(valid, PlanCode.TryParse(value, out _));
    }

    [Fact]
    public void Knows_the_free_and_trial_plans()
    {
        Assert.Equal(PlanCode.Parse("FREE"), _catalog.FreePlan.Code);
        Assert.Equal(PlanCode.Parse("TRIAL"), _catalog.TrialPlan!.Code);
        Assert.Equal(TestCatalog.LocalTrialDays, _catalog.TrialPlan.TrialDays);
        Assert.Equal(["agent_runs", "tokens", "api_calls"], _catalog.Meters.Select(m => m.Value));
    }

    [Fact]
    public void Declared_meters_are_split_by_kind()
    {
        Assert.Equal(["agent_runs", "tokens", "api_calls"], _catalog.Meters.Select(m => m.Value)); // consumption only
        Assert.Equal(["projects"], _catalog.AllocationMeters.Select(m => m.Value));
        Assert.Equal(MeterKind.Consumption, _catalog.KindOf(MeterName.Parse("agent_runs")));
        Assert.Equal(MeterKind.Consumption, _catalog.KindOf(MeterName.Parse("api_calls")));
        Assert.Equal(MeterKind.Allocation, _catalog.KindOf(MeterName.Parse("projects")));
        Assert.Null(_catalog.KindOf(MeterName.Parse("seats")));
    }

    [Fact]
    public void Allocation_meters_are_hard_limits_of_their_kind()
    {
        var projects = MeterName.Parse("projects");

        var free = _catalog.FreePlan.PolicyFor(projects);
        Assert.Equal(MeterKind.Allocation, free.Kind);
        Assert.Equal(1, free.HardLimit);
        Assert.Equal(MeterEnforcement.HardLimit, free.Enforcement);
        Assert.Equal(3, _catalog.TrialPlan!.PolicyFor(projects).HardLimit);
        Assert.Equal(5, _catalog.Get(PlanCode.Parse("BASIC")).PolicyFor(projects).HardLimit);
        var pro = _catalog.Get(PlanCode.Parse("PRO")).PolicyFor(projects);
        Assert.Equal(20, pro.HardLimit);
        Assert.Null(pro.OverageCharge(25));
        Assert.Equal(0, pro.OverageQuantity(25));
    }

    [Fact]
    public void Consumption_meters_keep_their_kind_listed_or_not()
    {
        var pro = _catalog.Get(PlanCode.Parse("PRO"));

        Assert.Equal(MeterKind.Consumption, pro.PolicyFor(MeterName.Parse("agent_runs")).Kind);
        Assert.Equal(MeterKind.Consumption, _catalog.FreePlan.PolicyFor(MeterName.Parse("api_calls")).Kind); // not listed
        Assert.Equal(MeterKind.Consumption, pro.PolicyFor(MeterName.Parse("undeclared")).Kind);
    }

    [Fact]
    public void An_allocation_meter_with_quota_zero_is_unlimited_allocation_and_a_meter_no_longer_declared_is_unlimited()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["projects"].Quota = 0;
        var catalog = PlanCatalog.Create(options);

        var pro = catalog.Get(PlanCode.Parse("PRO")).PolicyFor(MeterName.Parse("projects"));
        Assert.True(pro.IsUnlimited);
        Assert.Null(pro.HardLimit);
        Assert.Equal(MeterKind.Allocation, pro.Kind);

        // A meter found in an older period's counters after it left the catalog is neither refused nor billed.
        var retired = catalog.Get(PlanCode.Parse("PRO")).PolicyFor(MeterName.Parse("retired_meter"));
        Assert.True(retired.IsUnlimited);
        Assert.Equal(MeterKind.Consumption, retired.Kind);
    }

    [Fact]
    public void Features_are_switched_on_per_plan()
    {
        var sso = FeatureName.Parse("sso");
        var prioritySupport = FeatureName.Parse("priority_support");

        Assert.Equal([sso, prioritySupport], _catalog.Features);
        var pro = _catalog.Get(PlanCode.Parse("PRO"));
        Assert.True(pro.HasFeature(sso));
        Assert.True(pro.HasFeature(prioritySupport));
        var basic = _catalog.Get(PlanCode.Parse("BASIC"));
        Assert.False(basic.HasFeature(sso));
        Assert.True(basic.HasFeature(prioritySupport));
        Assert.Equal([prioritySupport], basic.Features);
        Assert.Empty(_catalog.FreePlan.Features);
        Assert.Empty(_catalog.TrialPlan!.Features);
        Assert.False(pro.HasFeature(FeatureName.Parse("undeclared")));
    }

    [Fact]
    public void A_catalog_without_allocation_meters_or_features_is_valid()
    {
        var options = new PlanCatalogOptions { Meters = { "agent_runs" } };
        options.Plans.Add(new PlanOptions { Code = "FREE", DisplayName = "Free", Kind = PlanKind.Free, Meters = { ["agent_runs"] = new MeterOptions { Quota = 5 } } });

        var catalog = PlanCatalog.Create(options);

        Assert.Empty(catalog.AllocationMeters);
        Assert.Empty(catalog.Features);
        Assert.Empty(catalog.FreePlan.Features);
        Assert.Equal(MeterKind.Consumption, catalog.KindOf(MeterName.Parse("agent_runs")));
    }

    [Fact]
    public void Finds_plan_and_interval_by_price_id()
    {
        var yearly = _catalog.FindPrice(TestCatalog.BasicYearly);

        Assert.NotNull(yearly);
        Assert.Equal("BASIC", yearly.Plan.Code.Value);
        Assert.Equal(BillingInterval.Year, yearly.Interval);
        Assert.Equal(TestCatalog.ProMonthly, _catalog.FindPrice(TestCatalog.ProMonthly)!.PriceId);
        Assert.Null(_catalog.FindPrice("price_unknown"));
        Assert.Equal(TestCatalog.BasicMonthly, _catalog.Get(PlanCode.Parse("basic")).PriceIdFor(BillingInterval.Month));
    }

    [Fact]
    public void Unknown_plan_codes_are_not_found()
    {
        Assert.Null(_catalog.Find(PlanCode.Parse("GOLD")));
        Assert.Throws<KeyNotFoundException>(() => _catalog.Get(PlanCode.Parse("GOLD")));
    }

    [Fact]
    public void Meter_policies_follow_configuration()
    {
        var agentRuns = MeterName.Parse("agent_runs");
        var apiCalls = MeterName.Parse("api_calls");
        var tokens = MeterName.Parse("tokens");

        Assert.Equal(10, _catalog.FreePlan.PolicyFor(agentRuns).HardLimit);
        Assert.True(_catalog.FreePlan.PolicyFor(apiCalls).IsUnlimited); // absent = unlimited
        var pro = _catalog.Get(PlanCode.Parse("PRO"));
        Assert.True(pro.PolicyFor(apiCalls).IsUnlimited); // 0 = unlimited
        Assert.Null(pro.PolicyFor(agentRuns).HardLimit); // billed as overage, never refused
        Assert.Equal(MeterEnforcement.Overage, pro.PolicyFor(tokens).Enforcement);
        Assert.IsType<GraduatedOveragePrice>(pro.PolicyFor(tokens).OveragePrice);
    }

    [Fact]
    public void Credit_is_spendable_only_in_a_currency_a_plan_invoices_usage_in_and_in_none_when_no_plan_invoices_usage()
    {
        var options = TestCatalog.Options();
        var pro = options.Plan("PRO");
        pro.Currency = null;
        foreach (var meter in (string[])["agent_runs", "tokens"])
        {
            pro.Meters[meter] = new MeterOptions { Quota = pro.Meters[meter].Quota }; // hard limits: nothing billed as overage
        }

        var noInvoices = PlanCatalog.Create(options);

        Assert.Null(_catalog.WhyCreditUnspendable(Currency.Parse("usd")));
        Assert.Equal("Credit is spent on usage invoices, which are in usd; credit in 'eur' could never be spent.", _catalog.WhyCreditUnspendable(Currency.Parse("eur")));
        Assert.All(
            (string[])["usd", "eur"],
            code => Assert.Equal("No plan invoices usage, so no credit can ever be spent.", noInvoices.WhyCreditUnspendable(Currency.Parse(code))));
    }

    [Fact]
    public void A_currency_set_on_a_plan_that_bills_no_overage_is_not_one_usage_is_invoiced_in()
    {
        // PRO bills its overage in euros; the free plan names usd (as api.md's catalog does) but bills nothing as overage:
        // no usage invoice is ever in usd, so usd credit (a pack, an operator's grant) could never be spent.
        var options = TestCatalog.Options();
        options.Plan("PRO").Currency = "eur";
        options.Plan("FREE").Currency = "usd";

        var catalog = PlanCatalog.Create(options);

        Assert.Null(catalog.WhyCreditUnspendable(Currency.Parse("eur")));
        Assert.Equal("Credit is spent on usage invoices, which are in eur; credit in 'usd' could never be spent.", catalog.WhyCreditUnspendable(Currency.Parse("usd")));
    }

    [Fact]
    public void Overage_charge_covers_units_beyond_the_quota_only()
    {
        var pro = _catalog.Get(PlanCode.Parse("PRO"));
        var usd = Currency.Parse("usd");
        var agentRuns = pro.PolicyFor(MeterName.Parse("agent_runs"));
        var tokens = pro.PolicyFor(MeterName.Parse("tokens"));

        Assert.Equal(0, agentRuns.OverageQuantity(1_000));
        Assert.Equal(new Money(0, usd), agentRuns.OverageCharge(1_000));
        Assert.Equal(new Money(3 * 250, usd), agentRuns.OverageCharge(1_250));
        // 100_000 included; 1_500 over: 1_000 * 2 + (500 * 1 + 100 flat)
        Assert.Equal(new Money(2_000 + 500 + 100, usd), tokens.OverageCharge(101_500));
        Assert.Null(_catalog.FreePlan.PolicyFor(MeterName.Parse("agent_runs")).OverageCharge(50));
    }

    [Fact]
    public void A_meter_policy_refuses_a_zero_quota_an_unknown_kind_and_negative_units()
    {
        var runs = MeterName.Parse("agent_runs");
        var price = new PerUnitOveragePrice(new Money(3, Currency.Parse("usd")));

        Assert.Throws<ArgumentOutOfRangeException>(() => MeterPolicy.Limited(runs, 0)); // unlimited is a null quota, not 0
        Assert.Throws<ArgumentOutOfRangeException>(() => MeterPolicy.WithOverage(runs, 0, price));
        Assert.Throws<ArgumentOutOfRangeException>(() => MeterPolicy.Unlimited(runs, (MeterKind)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => MeterPolicy.WithOverage(runs, 1_000, price).OverageQuantity(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MeterPolicy.Limited(runs, 1_000).Raised(-1));
    }

    [Fact]
    public void Add_ons_raise_a_quota_at_most_to_what_a_counter_holds()
    {
        var runs = MeterName.Parse("agent_runs");
        var basic = _catalog.Get(PlanCode.Parse("BASIC")).PolicyFor(runs);
        var nearTheTop = MeterPolicy.Limited(runs, UsageCounters.MaxCount - 10);

        Assert.Equal(basic.Quota + 100, basic.Raised(100).Quota);
        Assert.Equal(UsageCounters.MaxCount, nearTheTop.Raised(10).Quota);
        Assert.Equal(UsageCounters.MaxCount, nearTheTop.Raised(11).Quota);
        Assert.Equal(UsageCounters.MaxCount, nearTheTop.Raised(long.MaxValue).Quota); // no overflow
        Assert.Null(_catalog.Get(PlanCode.Parse("PRO")).PolicyFor(MeterName.Parse("api_calls")).Raised(5).Quota); // unlimited stays so
    }
}
