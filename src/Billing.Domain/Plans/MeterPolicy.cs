using Billing.Domain.Metering;
using Billing.Domain.Pricing;

namespace Billing.Domain.Plans;

/// <summary>A plan's rule for one meter: its quota and what happens beyond it.</summary>
public sealed class MeterPolicy
{
    private MeterPolicy(MeterName meter, long? quota, MeterEnforcement enforcement, OveragePrice? overagePrice)
    {
        Meter = meter;
        Quota = quota;
        Enforcement = enforcement;
        OveragePrice = overagePrice;
    }

    public MeterName Meter { get; }

    /// <summary>Units included per usage period; null = unlimited.</summary>
    public long? Quota { get; }

    public MeterEnforcement Enforcement { get; }

    /// <summary>Set exactly when <see cref="Enforcement"/> is <see cref="MeterEnforcement.Overage"/>.</summary>
    public OveragePrice? OveragePrice { get; }

    public bool IsUnlimited => Quota is null;

    /// <summary>The value a counter must never exceed, or null when usage is not refused (unlimited or billed as overage).</summary>
    public long? HardLimit => Enforcement == MeterEnforcement.HardLimit ? Quota : null;

    public static MeterPolicy Unlimited(MeterName meter) => new(meter, null, MeterEnforcement.HardLimit, null);

    public static MeterPolicy Limited(MeterName meter, long quota)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quota);
        return new MeterPolicy(meter, quota, MeterEnforcement.HardLimit, null);
    }

    public static MeterPolicy WithOverage(MeterName meter, long includedQuota, OveragePrice price)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(includedQuota);
        ArgumentNullException.ThrowIfNull(price);
        return new MeterPolicy(meter, includedQuota, MeterEnforcement.Overage, price);
    }

    /// <summary>Units of <paramref name="used"/> beyond the quota that are billed; zero unless this is an overage meter.</summary>
    public long OverageQuantity(long used)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(used);
        return Enforcement == MeterEnforcement.Overage && Quota is { } quota && used > quota ? used - quota : 0;
    }

    /// <summary>The overage charge for a period in which <paramref name="used"/> units were counted; null for meters not billed as overage.</summary>
    public Money? OverageCharge(long used) => OveragePrice?.PriceFor(OverageQuantity(used));
}
