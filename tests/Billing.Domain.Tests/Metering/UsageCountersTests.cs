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

    [Fact]
    public void Counters_recorded_before_coverage_was_kept_keep_their_lapse_for_the_add_ons_seen_expired_and_the_rule_takes_the_others()
    {
        // As counters of schema 3 left them: PRO's 1,000 and an add-on of 500 seen expired, which had covered 400 of 1,400 runs
        // (the C# twin of record-usage.js's recordedBefore, pinned on the store by CosmosUsageLedgerTests).
        var older = Schema3Counters(used: 1_400, included: 1_400, lapsed: 400, expired: 500);
        var plan = new MeterAllowance(MeterAllowance.PlanId, 1_000, AllowanceState.InForce);

        var next = older.WithIncluded(AgentRuns, 1_000, [new MeterAllowance("cs:lapsing", 500, AllowanceState.Expired), new MeterAllowance("cs:later", 200, AllowanceState.Expired), plan]);
        var tooLarge = older.WithIncluded(AgentRuns, 1_000, [new MeterAllowance("cs:large", 600, AllowanceState.Expired), new MeterAllowance("cs:small", 500, AllowanceState.Expired), plan]);
        var revokedFirst = older.WithIncluded(AgentRuns, 1_000, [new MeterAllowance("cs:refunded", 500, AllowanceState.Revoked), new MeterAllowance("cs:lapsing", 500, AllowanceState.Expired), plan]);

        // "lapsing" was the add-on seen expired: its 400 stay as recorded; "later", expired since, covers 200 of the 1,000 runs left.
        Assert.Equal((1_600L, 600L, 700L), (next.Included[AgentRuns], next.Lapsed[AgentRuns], next.Expired[AgentRuns]));
        Assert.Equal(new Dictionary<string, long> { [MeterAllowance.RecordedBeforeId] = 400, ["cs:lapsing"] = 0, ["cs:later"] = 200 }, next.Covered[AgentRuns]);
        // An expired add-on larger than the 500 units seen expired ends the run of those seen: both are taken by the rule.
        Assert.Equal(new Dictionary<string, long> { [MeterAllowance.RecordedBeforeId] = 400, ["cs:large"] = 600, ["cs:small"] = 400 }, tooLarge.Covered[AgentRuns]);
        Assert.Equal((2_400L, 1_400L), (tooLarge.Included[AgentRuns], tooLarge.Lapsed[AgentRuns]));
        // A revoked add-on was never among those seen expired.
        Assert.Equal(new Dictionary<string, long> { [MeterAllowance.RecordedBeforeId] = 400, ["cs:refunded"] = 500, ["cs:lapsing"] = 0 }, revokedFirst.Covered[AgentRuns]);
        Assert.Equal((1_900L, 900L), (revokedFirst.Included[AgentRuns], revokedFirst.Lapsed[AgentRuns]));
    }

    [Fact]
    public void A_meter_whose_included_amount_was_never_recorded_starts_with_nothing_covered()
    {
        var counters = Schema3Counters(used: 1_400, included: 1_400, lapsed: 400, expired: 500) with { Included = new Dictionary<MeterName, long>() };

        var next = counters.WithIncluded(AgentRuns, 1_000, [new MeterAllowance("cs:lapsing", 500, AllowanceState.Expired), new MeterAllowance(MeterAllowance.PlanId, 1_000, AllowanceState.InForce)]);

        Assert.Equal((1_500L, 500L), (next.Included[AgentRuns], next.Lapsed[AgentRuns])); // the expired add-on takes its 500 by the rule
        Assert.Equal(new Dictionary<string, long> { ["cs:lapsing"] = 500 }, next.Covered[AgentRuns]);
    }

    [Fact]
    public void An_add_on_in_force_again_after_a_failed_refund_applies_in_full_again_and_leaves_nothing_lapsed()
    {
        // Revoked after covering 300 of 1,300 runs; its refund failed, so it is in force again.
        var counters = Schema3Counters(used: 1_300, included: 1_300, lapsed: 300, expired: 0) with
        {
            Covered = new Dictionary<MeterName, IReadOnlyDictionary<string, long>> { [AgentRuns] = new Dictionary<string, long> { ["cs:back"] = 300 } },
        };

        var next = counters.WithIncluded(AgentRuns, 1_500, [new MeterAllowance(MeterAllowance.PlanId, 1_000, AllowanceState.InForce), new MeterAllowance("cs:back", 500, AllowanceState.InForce)]);

        Assert.Equal((1_500L, 0L), (next.Included[AgentRuns], next.Lapsed[AgentRuns]));
        Assert.Empty(next.Covered[AgentRuns]);
    }

    [Fact]
    public void Only_add_ons_that_expired_count_as_expired_not_revoked_ones()
    {
        var counters = Schema3Counters(used: 100, included: 1_000, lapsed: 0, expired: 0) with
        {
            Covered = new Dictionary<MeterName, IReadOnlyDictionary<string, long>> { [AgentRuns] = new Dictionary<string, long>() },
        };

        var next = counters.WithIncluded(AgentRuns, 1_000, [new MeterAllowance("cs:refunded", 300, AllowanceState.Revoked), new MeterAllowance("cs:lapsed", 200, AllowanceState.Expired), new MeterAllowance(MeterAllowance.PlanId, 1_000, AllowanceState.InForce)]);

        Assert.Equal(200, next.Expired[AgentRuns]); // what older readers take as the expired add-ons' units
    }

    private static UsageCounters Schema3Counters(long used, long included, long lapsed, long expired) => new()
    {
        AccountId = AccountId.Parse("acct-1"),
        Period = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero)),
        Counters = new Dictionary<MeterName, long> { [AgentRuns] = used },
        Plan = Pro,
        Included = new Dictionary<MeterName, long> { [AgentRuns] = included },
        Lapsed = new Dictionary<MeterName, long> { [AgentRuns] = lapsed },
        Expired = new Dictionary<MeterName, long> { [AgentRuns] = expired },
    };
}
