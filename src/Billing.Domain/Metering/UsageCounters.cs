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

    /// <summary>Per overage meter, the units of <see cref="Included"/> that add-ons which stopped applying (expired or revoked) covered while they applied.</summary>
    public IReadOnlyDictionary<MeterName, long> Lapsed { get; init; } = new Dictionary<MeterName, long>();

    /// <summary>
    /// Per overage meter, the units of the add-ons expired in the period (not revoked) when <see cref="Included"/> was
    /// last recorded (absent beside a recorded amount: counted before this was kept). What older counters covered is
    /// read with it (<see cref="WithIncluded"/>); kept for readers that know nothing of <see cref="Covered"/>.
    /// </summary>
    public IReadOnlyDictionary<MeterName, long> Expired { get; init; } = new Dictionary<MeterName, long>();

    /// <summary>
    /// Per overage meter, the allowances that stopped applying during this stretch (add-ons expired or revoked), by id,
    /// with the units each covered while it applied (<see cref="WithIncluded"/>); <see cref="Lapsed"/> is their sum.
    /// Absent beside a recorded amount: counted before this was kept (<see cref="MeterAllowance.RecordedBeforeId"/>).
    /// </summary>
    public IReadOnlyDictionary<MeterName, IReadOnlyDictionary<string, long>> Covered { get; init; } = new Dictionary<MeterName, IReadOnlyDictionary<string, long>>();

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
            Covered = new Dictionary<MeterName, IReadOnlyDictionary<string, long>>(),
        };
    }

    /// <summary>
    /// These counters with the meter's included amount as a count now records it, before its unit is counted, given
    /// <paramref name="included"/> (what the plan and the add-ons in force include now) and the meter's
    /// <paramref name="allowances"/> in the order their units are used (<see cref="Entitlements.Entitlement.AllowancesOf"/>;
    /// empty: the plan's <paramref name="included"/> alone). Included units are used soonest-ending first, so an
    /// allowance that stopped applying (an add-on expired or revoked) covered the part of this stretch's usage then
    /// counted that came to it in that order: the usage not covered by allowances that had stopped already, taken by
    /// each allowance before it, then by it up to its units. That part is kept (<see cref="Covered"/>, fixed once taken)
    /// and stays included, on top of what applies now; nothing else of it does. So an add-on that lapses unused leaves
    /// nothing, one used up leaves all of its units, and a revoked one leaves what it covered until its revocation. One
    /// listed in force again (a refund that failed) applies in full again. Counters recorded before <see cref="Covered"/>
    /// was kept keep what they recorded as <see cref="Lapsed"/> for the add-ons seen expired then (<see cref="Expired"/>).
    /// The usage store's procedure repeats this rule with each count (<c>record-usage.js</c>, <c>include</c>): keep them alike.
    /// </summary>
    public UsageCounters WithIncluded(MeterName meter, long included, IReadOnlyList<MeterAllowance> allowances)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(included);
        ArgumentNullException.ThrowIfNull(allowances);
        IReadOnlyList<MeterAllowance> order = allowances.Count == 0 ? [new MeterAllowance(MeterAllowance.PlanId, included, AllowanceState.InForce)] : allowances;
        var expired = order.Where(a => a.State == AllowanceState.Expired).Sum(a => a.Units);
        var covered = Covered.TryGetValue(meter, out var kept) ? new Dictionary<string, long>(kept, StringComparer.Ordinal) : RecordedBefore(meter, order);
        foreach (var inForce in order.Where(a => !a.Ended))
        {
            covered.Remove(inForce.Id);
        }

        var left = Math.Max(0, Used(meter) - Since.GetValueOrDefault(meter) - covered.Values.Sum());
        foreach (var allowance in order)
        {
            if (!allowance.Ended || !covered.ContainsKey(allowance.Id))
            {
                var taken = Math.Min(allowance.Units, left);
                left -= taken;
                if (allowance.Ended)
                {
                    covered[allowance.Id] = taken;
                }
            }
        }

        var lapsed = covered.Values.Sum();
        return this with
        {
            Included = new Dictionary<MeterName, long>(Included) { [meter] = checked(included + lapsed) },
            Lapsed = new Dictionary<MeterName, long>(Lapsed) { [meter] = lapsed },
            Expired = new Dictionary<MeterName, long>(Expired) { [meter] = expired },
            Covered = new Dictionary<MeterName, IReadOnlyDictionary<string, long>>(Covered) { [meter] = covered },
        };
    }

    /// <summary>
    /// What add-ons covered as counters recorded before <see cref="Covered"/> was kept show it: nothing when the meter's
    /// amount was never recorded; else their <see cref="Lapsed"/> (<see cref="MeterAllowance.RecordedBeforeId"/>), which
    /// covers the add-ons that had expired by then: the soonest-expiring of those expired now, as many as
    /// <see cref="Expired"/> units. The others stopped applying since and are taken as the rule takes any.
    /// </summary>
    private Dictionary<string, long> RecordedBefore(MeterName meter, IReadOnlyList<MeterAllowance> order)
    {
        var covered = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!Included.ContainsKey(meter))
        {
            return covered;
        }

        covered[MeterAllowance.RecordedBeforeId] = Lapsed.GetValueOrDefault(meter);
        var seen = Expired.GetValueOrDefault(meter);
        foreach (var allowance in order.Where(a => a.State == AllowanceState.Expired))
        {
            if (allowance.Units > seen)
            {
                break;
            }

            seen -= allowance.Units;
            covered[allowance.Id] = 0;
        }

        return covered;
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
