namespace Billing.Domain.Plans.Configuration;

/// <summary>A plan's quota for one meter.</summary>
public sealed class MeterOptions
{
    /// <summary>Units per usage period; 0 = unlimited. For overage meters, the included units (must be positive).</summary>
    public long Quota { get; set; }

    public MeterEnforcement Enforcement { get; set; } = MeterEnforcement.HardLimit;

    /// <summary>Required for (and only allowed on) overage meters.</summary>
    public OveragePriceOptions? Overage { get; set; }
}
