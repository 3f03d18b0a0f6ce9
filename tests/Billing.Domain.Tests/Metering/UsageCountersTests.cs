using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Domain.Tests.Metering;

/// <summary>A period's counters when the plan changes during it (the usage store's procedure takes the same step).</summary>
public sealed class UsageCountersTests
{
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");
    private static readonly PlanCode Pro = PlanCode.Parse("PRO");
    private static readonly PlanCode Enterprise = PlanCode.Parse("ENTERPRISE");

    [Fact]
    public void A_plan_change_after_a_lapse_closes_the_stretch_and_starts_the_new_plan_with_nothing_included_lapsed_or_expired()
    {
        // PRO with an add-on of 500 that lapsed having covered 400 of the 1,401 runs.
        var lapsed = new UsageCounters
        {
            AccountId = AccountId.Parse("acct-1"),
            Period = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero)),
            Counters = new Dictionary<MeterName, long> { [AgentRuns] = 1_401 },
            Plan = Pro,
            Included = new Dictionary<MeterName, long> { [AgentRuns] = 1_400 },
            Lapsed = new Dictionary<MeterName, long> { [AgentRuns] = 400 },
            Expired = new Dictionary<MeterName, long> { [AgentRuns] = 500 },
            Covered = new Dictionary<MeterName, IReadOnlyDictionary<string, long>> { [AgentRuns] = new Dictionary<string, long> { ["cs:lapsed"] = 400 } },
        };

        var upgraded = lapsed.UnderPlan(Enterprise);
        var counted = upgraded.WithIncluded(AgentRuns, 50_000, [new MeterAllowance("cs:lapsed", 500, AllowanceState.Expired), new MeterAllowance(MeterAllowance.PlanId, 50_000, AllowanceState.InForce)]); // the add-on is still one that expired in the period

        Assert.Same(lapsed, lapsed.UnderPlan(Pro));
        var pro = Assert.Single(upgraded.Earlier);
        Assert.Equal((Pro, 1_401L, 1_400L), (pro.Plan, pro.To[AgentRuns], pro.Included[AgentRuns]));
        Assert.Equal((Enterprise, 1_401L), (upgraded.Plan, upgraded.Since[AgentRuns]));
        Assert.Empty(upgraded.Included);
        Assert.Empty(upgraded.Lapsed);
        Assert.Empty(upgraded.Expired);
        Assert.Empty(upgraded.Covered);
        Assert.Equal((50_000L, 0L, 500L), (counted.Included[AgentRuns], counted.Lapsed[AgentRuns], counted.Expired[AgentRuns])); // PRO's lapse is not carried
    }

    [Fact]
    public void Overage_is_counted_only_in_stretches_whose_plan_billed_the_meter_as_overage()
    {
        // 300 runs under a plan that capped the meter (no included amount recorded), then 1,200 under PRO (1,000 included).
        var counters = new UsageCounters
        {
            AccountId = AccountId.Parse("acct-1"),
            Period = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero)),
            Counters = new Dictionary<MeterName, long> { [AgentRuns] = 1_500 },
            Plan = Pro,
            Included = new Dictionary<MeterName, long> { [AgentRuns] = 1_000 },
            Since = new Dictionary<MeterName, long> { [AgentRuns] = 300 },
            Earlier = [new PlanStretch(PlanCode.Parse("BASIC"), new Dictionary<MeterName, long>(), new Dictionary<MeterName, long> { [AgentRuns] = 300 }, new Dictionary<MeterName, long>())],
        };

        Assert.Equal(500, counters.OverageUnits(AgentRuns, 1_000)); // PRO's units past the period's 1,000th; BASIC's 300 bill none
        Assert.Equal(0, counters.OverageUnits(AgentRuns, null)); // not an overage meter now, nor before
    }
}
