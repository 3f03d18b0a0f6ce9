using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Domain.Entitlements;

/// <summary>Which plan's limits apply to an account right now, why, and the usage period counters belong to.</summary>
public sealed record Entitlement
{
    public required Plan Plan { get; init; }

    public required EntitlementSource Source { get; init; }

    public required UsagePeriod Period { get; init; }

    /// <summary>When the current plan stops applying if nothing changes (trial end, cancellation, grace end); null if open-ended.</summary>
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>
    /// The subscription's own plan when an overdue payment keeps it from the account: during the grace period after a
    /// failed upgrade (<see cref="Plan"/> is then the lower plan last paid for), and after the grace period while the
    /// subscription still stands (<see cref="Plan"/> is then the free or trial plan); paying gives it back. Null otherwise.
    /// </summary>
    public Plan? UnpaidPlan { get; init; }

    /// <summary>
    /// When usage starts counting in <see cref="Period"/>, when later than its start: the moment the paid access before
    /// this plan ended within the period (a subscription cancelled, ended or out of its grace period; a local trial over),
    /// for the calendar month the account fell back to. Usage that occurred before it happened under that access, not
    /// under this plan; null otherwise.
    /// </summary>
    public DateTimeOffset? CountsFrom { get; init; }

    /// <summary>The earliest instant usage can have occurred to be counted in <see cref="Period"/>.</summary>
    public DateTimeOffset UsageStart => CountsFrom is { } from && from > Period.Start ? from : Period.Start;

    public DateTimeOffset PeriodStart => Period.Start;

    public DateTimeOffset PeriodEnd => Period.End;

    public UsagePeriodKey PeriodKey => Period.Key;

    /// <summary>The bought add-ons that apply now, oldest first.</summary>
    public IReadOnlyList<Credits.MeterAddOn> AddOns { get; init; } = [];

    /// <summary>
    /// The add-ons that stopped applying during the period so far, having applied in it (expired, or revoked), oldest
    /// first: what they covered stays covered (<see cref="UsageCounters.WithIncluded"/>).
    /// </summary>
    public IReadOnlyList<Credits.MeterAddOn> EndedAddOns { get; init; } = [];

    /// <summary>The plan's policy for the meter, raised by the <see cref="AddOns"/> on it.</summary>
    public MeterPolicy PolicyFor(MeterName meter) =>
        AddOns.Count == 0 ? Plan.PolicyFor(meter) : Plan.PolicyFor(meter).Raised(AddOns.Where(a => a.Meter == meter).Sum(a => a.Units));

    /// <summary>
    /// The sources of an overage meter's included units in the period, in the order they are used: the soonest to stop
    /// applying first (an add-on's end is its expiry, or the period's end when it lasts beyond; the plan's units end
    /// with the period; a revoked add-on keeps its place), the plan's before an add-on ending with them, then the
    /// add-on granted first (then by grant id). The plan's, the add-ons in force, and those that stopped applying during
    /// the period (<see cref="EndedAddOns"/>). Empty for a meter not billed as overage.
    /// </summary>
    public IReadOnlyList<MeterAllowance> AllowancesOf(MeterName meter)
    {
        if (Plan.PolicyFor(meter).Included is not { } planUnits)
        {
            return [];
        }

        var addOns = AddOns.Where(a => a.Meter == meter).Select(a => (AddOn: a, State: AllowanceState.InForce))
            .Concat(EndedAddOns.Where(a => a.Meter == meter).Select(a => (AddOn: a, State: a.RevokedAt is null ? AllowanceState.Expired : AllowanceState.Revoked)))
            .Select(a => (End: a.AddOn.ExpiresAt is { } expiresAt && expiresAt < PeriodEnd ? expiresAt : PeriodEnd, a.AddOn.GrantedAt, Allowance: new MeterAllowance(a.AddOn.GrantId, a.AddOn.Units, a.State)))
            .OrderBy(a => a.End)
            .ThenBy(a => a.GrantedAt)
            .ThenBy(a => a.Allowance.Id, StringComparer.Ordinal)
            .ToList();
        return
        [
            .. addOns.Where(a => a.End < PeriodEnd).Select(a => a.Allowance),
            new MeterAllowance(MeterAllowance.PlanId, planUnits, AllowanceState.InForce),
            .. addOns.Where(a => a.End >= PeriodEnd).Select(a => a.Allowance),
        ];
    }

    /// <summary>
    /// The period's counters as they stand under this entitlement, what a view of the current period shows: under its
    /// plan (<see cref="UsageCounters.UnderPlan"/>), and each overage meter's included amount as a count now would
    /// record it (<see cref="UsageCounters.WithIncluded"/>: what applies now, plus what add-ons that stopped applying covered).
    /// </summary>
    public UsageCounters CountersNow(UsageCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var now = counters.UnderPlan(Plan.Code);
        foreach (var meter in now.Included.Keys.ToList())
        {
            if (PolicyFor(meter).Included is { } included)
            {
                now = now.WithIncluded(meter, included, AllowancesOf(meter));
            }
        }

        return now;
    }
}
