namespace Billing.Domain.Plans.Configuration;

/// <summary>The price of overage units in integer minor units of the plan's currency: either per unit or graduated tiers.</summary>
public sealed class OveragePriceOptions
{
    /// <summary>Price of every overage unit (e.g. 2 = 0.02 usd). Set this or <see cref="Tiers"/>, not both.</summary>
    public long? UnitAmount { get; set; }

    /// <summary>Graduated tiers over the overage units, ascending, the last one open-ended (no <c>UpTo</c>).</summary>
    public IList<PriceTierOptions> Tiers { get; } = [];
}
