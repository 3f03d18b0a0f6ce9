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
    /// the overage of its answer. PRO includes 1,000 runs; an add-on's units come on top of the amount while it applies.
    /// </summary>
    private static readonly Dictionary<string, (Count[] Counts, Expected Expected)> Cases = new()
    {
        ["an add-on expiring with nothing of it used covers nothing"] = (
            [new(AgentRuns, Pro, 1_500, 0, 800), new(AgentRuns, Pro, 1_000, 500, 1)],
            new(Included: 1_000, Lapsed: 0, Expired: 500, Used: 801, Overage: 0)),
        ["an expired add-on keeps covering what was used of it (lapsed below expired)"] = (
            [new(AgentRuns, Pro, 1_500, 0, 1_400), new(AgentRuns, Pro, 1_000, 500, 1)],
            new(Included: 1_400, Lapsed: 400, Expired: 500, Used: 1_401, Overage: 1)),
        ["used exactly up to the amount when the add-on expires: all of it stays covered"] = (
            [new(AgentRuns, Pro, 1_500, 0, 1_500), new(AgentRuns, Pro, 1_000, 500, 1)],
            new(Included: 1_500, Lapsed: 500, Expired: 500, Used: 1_501, Overage: 1)),
        ["used beyond the amount when the second add-on expires: only its own units lapse (Math.min)"] = (
            [new(AgentRuns, Pro, 1_600, 0, 1_400), new(AgentRuns, Pro, 1_300, 300, 100), new(AgentRuns, Pro, 1_000, 600, 1)],
            new(Included: 1_400, Lapsed: 400, Expired: 600, Used: 1_501, Overage: 101)),
        ["the expired add-on refunded: its coverage goes (lapsed above expired, capped to 0)"] = (
            [new(AgentRuns, Pro, 1_500, 0, 1_400), new(AgentRuns, Pro, 1_000, 500, 1), new(AgentRuns, Pro, 1_000, 0, 1)],
            new(Included: 1_000, Lapsed: 0, Expired: 0, Used: 1_402, Overage: 402)),
        ["one of two expired add-ons refunded: lapsed is capped to what is still expired"] = (
            [new(AgentRuns, Pro, 1_600, 0, 1_500), new(AgentRuns, Pro, 1_000, 600, 1), new(AgentRuns, Pro, 1_000, 300, 1)],
            new(Included: 1_300, Lapsed: 300, Expired: 300, Used: 1_502, Overage: 202)),
        ["a plan change mid-period after a lapse starts the new plan with nothing lapsed"] = (
            [new(AgentRuns, Pro, 1_500, 0, 1_400), new(AgentRuns, Pro, 1_000, 500, 1), new(Tokens, Enterprise, 100_000, 0, 10), new(AgentRuns, Enterprise, 50_000, 500, 1)],
            new(Included: 50_000, Lapsed: 0, Expired: 500, Used: 1_402, Overage: 1)),
    };

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
            var consumption = new UsageConsumption(account, November, count.Meter, count.Amount, Limit: null, count.Plan, count.Included, count.Expired);
            var recorded = await _ledger.RecordAsync(UsageRecord.Of(consumption, $"count-{i}", November.Start.AddMinutes(i), November.Start.AddMinutes(i), TimeSpan.FromDays(45), accountVersion: null), CancellationToken.None);

            // The C# twin, as the in-memory ledger applies it: the plan first, then what is included, then the count.
            model = model.UnderPlan(count.Plan);
            model = count.Included is { } included ? model.WithIncluded(count.Meter, included, count.Expired) : model;
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
            .. c.Earlier.Select(s => $"earlier {s.Plan} from {Of(s.From)} to {Of(s.To)} included {Of(s.Included)}"),
        ]);

    private static string Of(IReadOnlyDictionary<MeterName, long> values) =>
        "{" + string.Join(", ", values.OrderBy(v => v.Key.Value, StringComparer.Ordinal).Select(v => $"{v.Key.Value}={v.Value}")) + "}";

    private sealed record Count(MeterName Meter, PlanCode Plan, long? Included, long Expired, long Amount);

    private sealed record Expected(long Included, long Lapsed, long Expired, long Used, long Overage);
}
