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
    /// The subscription's own plan when a failed payment keeps it from the account during the grace period (a failed
    /// upgrade: <see cref="Plan"/> is then the lower plan last paid for); null otherwise.
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

    /// <summary>The add-ons that expired during the period so far (not revoked), oldest first: what they covered stays covered.</summary>
    public IReadOnlyList<Credits.MeterAddOn> ExpiredAddOns { get; init; } = [];

    /// <summary>The plan's policy for the meter, raised by the <see cref="AddOns"/> on it.</summary>
    public MeterPolicy PolicyFor(MeterName meter) =>
        AddOns.Count == 0 ? Plan.PolicyFor(meter) : Plan.PolicyFor(meter).Raised(AddOns.Where(a => a.Meter == meter).Sum(a => a.Units));

    /// <summary>The units of the meter's <see cref="ExpiredAddOns"/>: the most their lapse leaves covered (<see cref="UsageCounters.WithIncluded"/>).</summary>
    public long ExpiredUnits(MeterName meter) => ExpiredAddOns.Where(a => a.Meter == meter).Sum(a => a.Units);

    /// <summary>
    /// The period's counters as they stand under this entitlement, what a view of the current period shows: under its
    /// plan (<see cref="UsageCounters.UnderPlan"/>), and each overage meter's included amount as a count now would
    /// record it (<see cref="UsageCounters.WithIncluded"/>: what applies now, plus what lapsed add-ons covered).
    /// </summary>
    public UsageCounters CountersNow(UsageCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var now = counters.UnderPlan(Plan.Code);
        foreach (var meter in now.Included.Keys.ToList())
        {
            if (PolicyFor(meter).Included is { } included)
            {
                now = now.WithIncluded(meter, included, ExpiredUnits(meter));
            }
        }

        return now;
    }
}
