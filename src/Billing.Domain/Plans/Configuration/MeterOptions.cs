namespace Billing.Domain.Plans.Configuration;

/// <summary>A plan's quota for one meter.</summary>
public sealed class MeterOptions
{
    /// <summary>
    /// Required. Consumption meters: units per usage period. Allocation meters: units held at once. 0 = unlimited
    /// (said explicitly: a meter left out, or an entry without Quota, is refused at start-up, never unlimited by
    /// omission); at most 2^53 - 1 (UsageCounters.MaxCount, the most a counter holds).
    /// For overage meters, the included units (must be positive).
    /// </summary>
    public long? Quota { get; set; }

    /// <summary>HardLimit (default) or Overage; allocation meters are always HardLimit.</summary>
    public MeterEnforcement Enforcement { get; set; } = MeterEnforcement.HardLimit;

    /// <summary>Required for (and only allowed on) overage meters.</summary>
    public OveragePriceOptions? Overage { get; set; }
}
