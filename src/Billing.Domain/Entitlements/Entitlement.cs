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

    public DateTimeOffset PeriodStart => Period.Start;

    public DateTimeOffset PeriodEnd => Period.End;

    public UsagePeriodKey PeriodKey => Period.Key;

    /// <summary>The bought add-ons that apply now, oldest first.</summary>
    public IReadOnlyList<Credits.MeterAddOn> AddOns { get; init; } = [];

    /// <summary>The plan's policy for the meter, raised by the <see cref="AddOns"/> on it.</summary>
    public MeterPolicy PolicyFor(MeterName meter) =>
        AddOns.Count == 0 ? Plan.PolicyFor(meter) : Plan.PolicyFor(meter).Raised(AddOns.Where(a => a.Meter == meter).Sum(a => a.Units));
}
