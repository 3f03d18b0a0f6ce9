namespace Billing.Domain.Plans;

/// <summary>What happens when usage reaches a meter's quota.</summary>
public enum MeterEnforcement
{
    /// <summary>Usage is refused beyond the quota.</summary>
    HardLimit = 0,

    /// <summary>Usage continues; units beyond the quota are invoiced after the period closes.</summary>
    Overage = 1,
}
