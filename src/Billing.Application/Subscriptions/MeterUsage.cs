using Billing.Domain.Invoicing;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;

namespace Billing.Application.Subscriptions;

/// <summary>One meter in the current usage period: what was used against what the plan includes.</summary>
public sealed record MeterUsage
{
    public required MeterName Meter { get; init; }

    public required long Used { get; init; }

    /// <summary>Units included per period; null = unlimited.</summary>
    public long? Quota { get; init; }

    public required MeterEnforcement Enforcement { get; init; }

    /// <summary>Units left before the quota (never negative); null when unlimited.</summary>
    public long? Remaining { get; init; }

    /// <summary>Units beyond the quota that will be invoiced (overage meters only).</summary>
    public long OverageUnits { get; init; }

    /// <summary>The overage charge so far; null for meters not billed as overage.</summary>
    public Money? OverageCharge { get; init; }

    /// <summary>
    /// The meter's quota in a period (null: unlimited). An overage meter's is the included units recorded with its
    /// counts, as its invoice prices them: a past period's as its last count had them, the current period's as a count
    /// now would record them (<see cref="Domain.Entitlements.Entitlement.CountersNow"/>: the plan's and the add-ons' in
    /// force, plus what add-ons that lapsed covered). The policy's quota alone would disagree with the overage next to
    /// it; it is the quota of a meter with none recorded.
    /// </summary>
    public static long? QuotaOf(MeterPolicy policy, UsageCounters? counters)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return counters is not null && counters.Included.TryGetValue(policy.Meter, out var recorded) ? recorded : policy.Quota;
    }

    /// <summary>The meter as counted in a period, its overage priced by the plans it was counted under (<see cref="PeriodCharges"/>).</summary>
    /// <param name="policy">The meter's policy in the period's plan (for the current period, with the add-ons that apply now).</param>
    /// <param name="counters">
    /// The period's counters (null: nothing counted): a past period's as recorded; the current period's as they stand
    /// under the entitlement now (<see cref="Domain.Entitlements.Entitlement.CountersNow"/>).
    /// </param>
    /// <param name="catalog">The plans earlier stretches of the period were counted under.</param>
    public static MeterUsage From(MeterPolicy policy, UsageCounters? counters, PlanCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var used = counters?.Used(policy.Meter) ?? 0;

        var quota = QuotaOf(policy, counters);
        var charge = counters is null ? null : PeriodCharges.Charge(counters, policy.Meter, catalog, policy, quota ?? 0);
        return new MeterUsage
        {
            Meter = policy.Meter,
            Used = used,
            Quota = quota,
            Enforcement = policy.Enforcement,
            Remaining = quota is { } limit ? Math.Max(0, limit - used) : null,
            OverageUnits = charge?.OverageUnits ?? 0,
            OverageCharge = charge?.Amount ?? policy.OverageCharge(0),
        };
    }
}
