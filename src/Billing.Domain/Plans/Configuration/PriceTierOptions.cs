namespace Billing.Domain.Plans.Configuration;

/// <summary>One graduated tier as configured.</summary>
public sealed class PriceTierOptions
{
    /// <summary>Inclusive upper bound in overage units; absent on the last, open-ended tier.</summary>
    public long? UpTo { get; set; }

    public long UnitAmount { get; set; }

    /// <summary>Charged once when any unit falls in the tier.</summary>
    public long FlatAmount { get; set; }
}
