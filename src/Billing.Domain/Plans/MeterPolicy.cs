using Billing.Domain.Metering;
using Billing.Domain.Pricing;

namespace Billing.Domain.Plans;

/// <summary>A plan's rule for one meter: its quota and what happens beyond it.</summary>
public sealed class MeterPolicy
{
    private MeterPolicy(MeterName meter, MeterKind kind, long? quota, MeterEnforcement enforcement, OveragePrice? overagePrice)
    {
        Meter = meter;
        Kind = kind;
        Quota = quota;
        Enforcement = enforcement;
        OveragePrice = overagePrice;
    }

    public MeterName Meter { get; }

    /// <summary>
    /// This policy with <paramref name="units"/> more in its quota (add-ons), at most <see cref="UsageCounters.MaxCount"/>
    /// (no counter passes it); unlimited stays unlimited.
    /// </summary>
    public MeterPolicy Raised(long units)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(units);
        return units == 0 || Quota is not { } quota
            ? this
            : new MeterPolicy(Meter, Kind, units >= UsageCounters.MaxCount - quota ? UsageCounters.MaxCount : quota + units, Enforcement, OveragePrice);
    }

    /// <summary>Whether the meter counts units consumed per usage period or units held at once.</summary>
    public MeterKind Kind { get; }

    /// <summary>Units included per usage period (consumption meters) or held at once (allocation meters); null = unlimited.</summary>
    public long? Quota { get; }

    public MeterEnforcement Enforcement { get; }

    /// <summary>Set exactly when <see cref="Enforcement"/> is <see cref="MeterEnforcement.Overage"/>.</summary>
    public OveragePrice? OveragePrice { get; }

    public bool IsUnlimited => Quota is null;

    /// <summary>The value a counter must never exceed, or null when usage is not refused (unlimited or billed as overage).</summary>
    public long? HardLimit => Enforcement == MeterEnforcement.HardLimit ? Quota : null;

    /// <summary>The units included before overage is billed (an overage meter's quota); null for other meters. What a count records for invoicing.</summary>
    public long? Included => Enforcement == MeterEnforcement.Overage ? Quota : null;

    /// <summary>No quota on a meter of the given kind.</summary>
    public static MeterPolicy Unlimited(MeterName meter, MeterKind kind) => new(meter, CheckKind(kind), null, MeterEnforcement.HardLimit, null);

    /// <summary>A consumption meter refused beyond <paramref name="quota"/> units per usage period.</summary>
    public static MeterPolicy Limited(MeterName meter, long quota) => Limited(meter, quota, MeterKind.Consumption);

    /// <summary>A meter of the given kind refused beyond <paramref name="quota"/> units.</summary>
    public static MeterPolicy Limited(MeterName meter, long quota, MeterKind kind)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quota);
        return new MeterPolicy(meter, CheckKind(kind), quota, MeterEnforcement.HardLimit, null);
    }

    /// <summary>A consumption meter whose units beyond <paramref name="includedQuota"/> are billed at <paramref name="price"/>; allocation meters are never billed as overage.</summary>
    public static MeterPolicy WithOverage(MeterName meter, long includedQuota, OveragePrice price)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(includedQuota);
        ArgumentNullException.ThrowIfNull(price);
        return new MeterPolicy(meter, MeterKind.Consumption, includedQuota, MeterEnforcement.Overage, price);
    }

    /// <summary>Units of <paramref name="used"/> beyond the quota that are billed; zero unless this is an overage meter.</summary>
    public long OverageQuantity(long used)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(used);
        return Included is { } included && used > included ? used - included : 0;
    }

    /// <summary>The overage charge for a period in which <paramref name="used"/> units were counted; null for meters not billed as overage.</summary>
    public Money? OverageCharge(long used) => OveragePrice?.PriceFor(OverageQuantity(used));

    private static MeterKind CheckKind(MeterKind kind) =>
        Enum.IsDefined(kind) ? kind : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown meter kind.");
}
