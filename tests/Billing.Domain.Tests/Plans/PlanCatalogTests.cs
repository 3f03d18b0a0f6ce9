using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Plans;

public sealed class PlanCatalogTests
{
    private readonly PlanCatalog _catalog = TestCatalog.Create();

    [Fact]
    public void Knows_the_free_and_trial_plans()
    {
        Assert.Equal(PlanCode.Parse("FREE"), _catalog.FreePlan.Code);
        Assert.Equal(PlanCode.Parse("TRIAL"), _catalog.TrialPlan!.Code);
        Assert.Equal(TestCatalog.LocalTrialDays, _catalog.TrialPlan.TrialDays);
        Assert.Equal(["agent_runs", "tokens", "api_calls"], _catalog.Meters.Select(m => m.Value));
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
}
