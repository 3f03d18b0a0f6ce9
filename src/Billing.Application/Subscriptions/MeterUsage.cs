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

    public static MeterUsage From(MeterPolicy policy, long used)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new MeterUsage
        {
            Meter = policy.Meter,
            Used = used,
            Quota = policy.Quota,
            Enforcement = policy.Enforcement,
            Remaining = policy.Quota is { } quota ? Math.Max(0, quota - used) : null,
            OverageUnits = policy.OverageQuantity(Math.Max(0, used)),
            OverageCharge = policy.OverageCharge(Math.Max(0, used)),
        };
    }
}
