using Billing.Domain.Accounts;
using Billing.Domain.Plans;

namespace Billing.Domain.Metering;

/// <summary>
/// What an account has used in one usage period, per meter, and what invoicing needs to price it: the plan in
/// effect when usage was last counted and, per meter, the units that plan included; when the plan changed during the
/// period, the plans before it and the counts at each change (<see cref="Earlier"/>). Meters never used read as zero.
/// </summary>
public sealed record UsageCounters
{
    /// <summary>
    /// The most a counter holds: 2^53 - 1, the largest integer a JSON number (and so the store's script) keeps exact.
    /// No quota or limit is above it (a larger one could never be reached, and the script would round it).
    /// </summary>
    public const long MaxCount = 9_007_199_254_740_991;

    public required AccountId AccountId { get; init; }

    public required UsagePeriod Period { get; init; }

    public required IReadOnlyDictionary<MeterName, long> Counters { get; init; }

    /// <summary>The plan whose limits applied to the last counted unit; null for periods counted before this was kept.</summary>
    public PlanCode? Plan { get; init; }

    /// <summary>
    /// The Stripe subscription whose period this is, as it was when the period's first unit was counted (a subscription
    /// period only): its invoice goes on that subscription, whatever the account has when the job runs. Null for other
    /// periods and for counters made before this was kept.
    /// </summary>
    public string? SubscriptionId { get; init; }

    /// <summary>
    /// Units included per meter by <see cref="Plan"/> (overage meters only): usage beyond is billed. With add-ons that
    /// lapsed during the period, what they covered (<see cref="Lapsed"/>) is part of it (<see cref="WithIncluded"/>).
    /// </summary>
    public IReadOnlyDictionary<MeterName, long> Included { get; init; } = new Dictionary<MeterName, long>();

    /// <summary>Per overage meter, the units of <see cref="Included"/> that add-ons which lapsed (expired) covered while they applied.</summary>
    public IReadOnlyDictionary<MeterName, long> Lapsed { get; init; } = new Dictionary<MeterName, long>();

    /// <summary>
    /// Per overage meter, the units of the add-ons expired in the period that <see cref="Included"/> has taken into
    /// account (absent beside a recorded amount: counted before this was kept).
    /// </summary>
    public IReadOnlyDictionary<MeterName, long> Expired { get; init; } = new Dictionary<MeterName, long>();

    /// <summary>
    /// The plans that applied earlier in the period, oldest first, when the plan changed during it: usage counted under
    /// each stays priced by it. Empty when <see cref="Plan"/> applied to the whole period.
    /// </summary>
    public IReadOnlyList<PlanStretch> Earlier { get; init; } = [];

    /// <summary>The count of each meter when <see cref="Plan"/> took over (absent: zero, from the period's start).</summary>
    public IReadOnlyDictionary<MeterName, long> Since { get; init; } = new Dictionary<MeterName, long>();

    public long Used(MeterName meter) => Counters.TryGetValue(meter, out var used) ? used : 0;

    /// <summary>
    /// These counters once <paramref name="plan"/> applies: unchanged when it already does (its plan when none was recorded),
    /// otherwise the current plan becomes an earlier stretch, ending at today's counts, and <paramref name="plan"/>
    /// starts from them with nothing included recorded yet. The usage store applies the same step when it counts the
    /// first usage under a new plan; a view of the current period applies it to show the plan in force now.
    /// </summary>
    public UsageCounters UnderPlan(PlanCode plan)
    {
        if (Plan is not { } current)
        {
            return this with { Plan = plan };
        }

        if (current == plan)
        {
            return this;
        }

        return this with
        {
            Earlier = [.. Earlier, new PlanStretch(current, Since, new Dictionary<MeterName, long>(Counters), Included)],
            Since = new Dictionary<MeterName, long>(Counters),
            Plan = plan,
            Included = new Dictionary<MeterName, long>(),
            Lapsed = new Dictionary<MeterName, long>(),
            Expired = new Dictionary<MeterName, long>(),
        };
    }

    /// <summary>
    /// These counters with the meter's included amount as a count now records it, before its unit is counted, given
    /// <paramref name="included"/> (what the plan and the add-ons in force include now): an add-on that lapsed (expired)
    /// keeps covering what was used while it applied, and usage after it lapsed is beyond the lower amount. The add-ons expired since the
    /// amount was last recorded (<paramref name="expired"/>, the units of the period's expired add-ons, beyond
    /// <see cref="Expired"/>) were the top of the amount recorded without <see cref="Lapsed"/>; what was used of that top
    /// joins <see cref="Lapsed"/>, which never passes <paramref name="expired"/> (a refund of an expired add-on takes its
    /// coverage back). A drop that is no expiry (a refund) takes the units away for the whole stretch, as a new amount
    /// is added on top. The usage store's procedure repeats this rule with each count (<c>record-usage.js</c>, <c>include</c>): keep them alike.
    /// </summary>
    public UsageCounters WithIncluded(MeterName meter, long included, long expired)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(included);
        ArgumentOutOfRangeException.ThrowIfNegative(expired);
        var lapsed = Lapsed.GetValueOrDefault(meter);
        if (Included.TryGetValue(meter, out var recorded))
        {
            var before = recorded - lapsed;
            var known = Expired.TryGetValue(meter, out var taken) ? taken : Math.Max(0, expired - Math.Max(0, before - included)); // older counters: only a drop seen can be an expiry
            var top = Math.Max(0, before - Math.Max(0, expired - known));
            lapsed += Math.Max(0, Math.Min(before, Used(meter) - lapsed) - top);
        }

        lapsed = Math.Min(lapsed, expired);
        return this with
        {
            Included = new Dictionary<MeterName, long>(Included) { [meter] = checked(included + lapsed) },
            Lapsed = new Dictionary<MeterName, long>(Lapsed) { [meter] = lapsed },
            Expired = new Dictionary<MeterName, long>(Expired) { [meter] = expired },
        };
    }

    /// <summary>
    /// The meter's units beyond the included amounts so far: each stretch against what its plan included as recorded,
    /// the current one against <paramref name="included"/> (null: not an overage meter now). A stretch with no recorded
    /// amount has none: its plan did not bill the meter as overage.
    /// </summary>
    public long OverageUnits(MeterName meter, long? included) =>
        StretchesOf(meter).Sum(s => (s.Current ? included : s.Included) is { } allowance ? s.UnitsBeyond(allowance) : 0);

    /// <summary>The meter's count split by the plan it was counted under, oldest first; the last stretch is <see cref="Plan"/>'s, up to now.</summary>
    public IEnumerable<MeterStretch> StretchesOf(MeterName meter)
    {
        foreach (var earlier in Earlier)
        {
            yield return new MeterStretch(earlier.Plan, earlier.From.GetValueOrDefault(meter), earlier.To.GetValueOrDefault(meter), earlier.Included.TryGetValue(meter, out var units) ? units : null, Current: false);
        }

        yield return new MeterStretch(Plan, Since.GetValueOrDefault(meter), Used(meter), Included.TryGetValue(meter, out var included) ? included : null, Current: true);
    }
}

/// <summary>
/// A plan that applied to part of a usage period: the counts when it took over (<see cref="From"/>) and when it was
/// replaced (<see cref="To"/>), and the units it included per meter (overage meters counted under it).
/// </summary>
public sealed record PlanStretch(PlanCode? Plan, IReadOnlyDictionary<MeterName, long> From, IReadOnlyDictionary<MeterName, long> To, IReadOnlyDictionary<MeterName, long> Included);

/// <summary>One meter's count under one plan: from <see cref="From"/> to <see cref="To"/> units of the period; <see cref="Included"/> as recorded (null: not recorded).</summary>
public readonly record struct MeterStretch(PlanCode? Plan, long From, long To, long? Included, bool Current)
{
    /// <summary>The units of this stretch beyond <paramref name="allowance"/>: those past it that an earlier stretch did not already count.</summary>
    public long UnitsBeyond(long allowance) => Math.Max(0, Math.Max(0, To - allowance) - Math.Max(0, From - allowance));
}
