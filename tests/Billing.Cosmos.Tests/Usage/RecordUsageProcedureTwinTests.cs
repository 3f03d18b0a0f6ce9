using Billing.Application.Usage;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Cosmos.Tests.Usage;

/// <summary>
/// record-usage.js repeats UsageCounters.WithIncluded (and UnderPlan's reset on a plan change) with each count: the same
/// counts run through the procedure (the app's ledger) and through the C# rule must leave the same counters, and the
/// numbers each case expects.
/// </summary>
public sealed class RecordUsageProcedureTwinTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");
    private static readonly MeterName Tokens = MeterName.Parse("tokens");
    private static readonly PlanCode Pro = PlanCode.Parse("PRO");
    private static readonly PlanCode Enterprise = PlanCode.Parse("ENTERPRISE");
    private static readonly UsagePeriod November = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero));

    /// <summary>
    /// Each case: counts in order, then what agent_runs holds after the last one (included, lapsed, expired, used) and
    /// the overage of its answer. PRO includes 1,000 runs; each count lists the meter's allowances in the order they are
    /// used (Entitlement.AllowancesOf): an add-on "S" of 500 that lapses before the period ends comes before the plan's
    /// units, an add-on "L" of 500 that lasts beyond the period after them.
    /// </summary>
    private static readonly Dictionary<string, (Count[] Counts, Expected Expected)> Cases = new()
    {
        ["an add-on that lapses before the plan's units is used first: all of it stays covered"] = (
            [new(AgentRuns, Pro, 1_500, [S(In), Plan(1_000)], 1_400), new(AgentRuns, Pro, 1_000, [S(Gone), Plan(1_000)], 1)],
            new(Included: 1_500, Lapsed: 500, Expired: 500, Used: 1_401, Overage: 0)),
        ["an add-on that lapses partly unused leaves what was used of it"] = (
            [new(AgentRuns, Pro, 1_500, [S(In), Plan(1_000)], 300), new(AgentRuns, Pro, 1_000, [S(Gone), Plan(1_000)], 1_001)],
            new(Included: 1_300, Lapsed: 300, Expired: 500, Used: 1_301, Overage: 1)),
        ["of two add-ons the one that lapses first is used first"] = (
            [new(AgentRuns, Pro, 2_000, [S(In), Plan(1_000), L(In)], 1_500), new(AgentRuns, Pro, 1_500, [S(Gone), Plan(1_000), L(In)], 500)],
            new(Included: 2_000, Lapsed: 500, Expired: 500, Used: 2_000, Overage: 0)),
        ["a refund of the other add-on after a lapse keeps what the lapsed one covered, and what it covered itself"] = (
            [new(AgentRuns, Pro, 2_000, [S(In), Plan(1_000), L(In)], 1_500), new(AgentRuns, Pro, 1_500, [S(Gone), Plan(1_000), L(In)], 1), new(AgentRuns, Pro, 1_000, [S(Gone), Plan(1_000), L(Refunded)], 99)],
            new(Included: 1_501, Lapsed: 501, Expired: 500, Used: 1_600, Overage: 99)),
        ["a refunded add-on keeps what it covered before the refund and nothing after"] = (
            [new(AgentRuns, Pro, 1_500, [Plan(1_000), L(In)], 1_200), new(AgentRuns, Pro, 1_000, [Plan(1_000), L(Refunded)], 100)],
            new(Included: 1_200, Lapsed: 200, Expired: 0, Used: 1_300, Overage: 100)),
        ["a refund that fails puts the add-on back in full"] = (
            [new(AgentRuns, Pro, 1_500, [Plan(1_000), L(In)], 1_200), new(AgentRuns, Pro, 1_000, [Plan(1_000), L(Refunded)], 100), new(AgentRuns, Pro, 1_500, [Plan(1_000), L(In)], 200)],
            new(Included: 1_500, Lapsed: 0, Expired: 0, Used: 1_500, Overage: 0)),
        ["an add-on expired before the period's first count covers nothing, then or later"] = (
            [new(AgentRuns, Pro, 1_000, [S(Gone), Plan(1_000)], 1_100), new(AgentRuns, Pro, 1_000, [S(Gone), Plan(1_000)], 1)],
            new(Included: 1_000, Lapsed: 0, Expired: 500, Used: 1_101, Overage: 101)),
        ["without allowances the plan's amount is the one allowance"] = (
            [new(AgentRuns, Pro, 1_000, [], 1_100), new(AgentRuns, Pro, 1_000, [], 1)],
            new(Included: 1_000, Lapsed: 0, Expired: 0, Used: 1_101, Overage: 101)),
        ["a plan change mid-period after a lapse starts the new plan with nothing lapsed"] = (
            [new(AgentRuns, Pro, 1_500, [S(In), Plan(1_000)], 1_400), new(AgentRuns, Pro, 1_000, [S(Gone), Plan(1_000)], 1_001), new(Tokens, Enterprise, 100_000, [], 10), new(AgentRuns, Enterprise, 50_000, [S(Gone), Plan(50_000)], 1)],
            new(Included: 50_000, Lapsed: 0, Expired: 500, Used: 2_402, Overage: 901)),
        ["a plan that includes none of the meter bills every unit of its stretch"] = (
            [new(AgentRuns, Pro, 1_000, [], 10), new(AgentRuns, Enterprise, 0, [], 5)],
            new(Included: 0, Lapsed: 0, Expired: 0, Used: 15, Overage: 5)),
        ["each earlier stretch is priced from the count where its plan took over"] = (
            [new(AgentRuns, Pro, 1_000, [], 1_200), new(AgentRuns, Enterprise, 1_100, [], 100), new(AgentRuns, Pro, 1_000, [], 1)],
            new(Included: 1_000, Lapsed: 0, Expired: 0, Used: 1_301, Overage: 301)), // 200 under PRO, 100 of ENTERPRISE's 1,200 to 1,300, 1
    };

    private const AllowanceState In = AllowanceState.InForce;
    private const AllowanceState Gone = AllowanceState.Expired;
    private const AllowanceState Refunded = AllowanceState.Revoked;

    private static MeterAllowance S(AllowanceState state) => new("cs:short", 500, state);

    private static MeterAllowance L(AllowanceState state) => new("cs:long", 500, state);

    private static MeterAllowance Plan(long units) => new(MeterAllowance.PlanId, units, In);

    private readonly IUsageLedger _ledger = fixture.Get<IUsageLedger>();

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task The_procedure_records_what_UsageCounters_WithIncluded_works_out(string name)
    {
        var (counts, expected) = Cases[name];
        var account = Ids.NewAccount();
        var model = new UsageCounters { AccountId = account, Period = November, Counters = new Dictionary<MeterName, long>() };
        CountedUsage? answer = null;

        foreach (var (count, i) in counts.Select((c, i) => (c, i)))
        {
            var consumption = new UsageConsumption(account, November, count.Meter, count.Amount, Limit: null, count.Plan, count.Included, count.Allowances);
            var recorded = await _ledger.RecordAsync(UsageRecord.Of(consumption, $"count-{i}", November.Start.AddMinutes(i), November.Start.AddMinutes(i), TimeSpan.FromDays(45), accountVersion: null), CancellationToken.None);

            // The C# twin, as the in-memory ledger applies it: the plan first, then what is included, then the count.
            model = model.UnderPlan(count.Plan);
            model = count.Included is { } included ? model.WithIncluded(count.Meter, included, count.Allowances) : model;
            model = model with { Counters = new Dictionary<MeterName, long>(model.Counters) { [count.Meter] = model.Used(count.Meter) + count.Amount } };

            var stored = (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!;
            Assert.Equal(Shape(model), Shape(stored));
            answer = recorded.Key!.Counted;
            Assert.Equal(consumption.AnswerAt(model), answer);
        }

        var last = (await _ledger.GetAsync(account, November.Key, CancellationToken.None))!;
        Assert.Equal(expected, new Expected(last.Included[AgentRuns], last.Lapsed[AgentRuns], last.Expired[AgentRuns], last.Used(AgentRuns), answer!.Overage));
    }

    /// <summary>Everything the procedure keeps for pricing, meters in order.</summary>
    private static string Shape(UsageCounters c) => string.Join(
        "; ",
        [
            $"plan {c.Plan}", $"counters {Of(c.Counters)}", $"included {Of(c.Included)}", $"lapsed {Of(c.Lapsed)}", $"expired {Of(c.Expired)}", $"since {Of(c.Since)}",
            .. c.Covered.OrderBy(m => m.Key.Value, StringComparer.Ordinal).Select(m => $"covered {m.Key.Value} {{{string.Join(", ", m.Value.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"))}}}"),
            .. c.Earlier.Select(s => $"earlier {s.Plan} from {Of(s.From)} to {Of(s.To)} included {Of(s.Included)}"),
        ]);

    private static string Of(IReadOnlyDictionary<MeterName, long> values) =>
        "{" + string.Join(", ", values.OrderBy(v => v.Key.Value, StringComparer.Ordinal).Select(v => $"{v.Key.Value}={v.Value}")) + "}";

    private sealed record Count(MeterName Meter, PlanCode Plan, long? Included, MeterAllowance[] Allowances, long Amount);

    private sealed record Expected(long Included, long Lapsed, long Expired, long Used, long Overage);
}
