namespace Billing.Domain.Pricing;

/// <summary>Every overage unit costs the same amount.</summary>
public sealed class PerUnitOveragePrice : OveragePrice
{
    public PerUnitOveragePrice(Money unitAmount)
        : base(unitAmount.Currency)
    {
        if (unitAmount.IsNegative)
        {
            throw new ArgumentOutOfRangeException(nameof(unitAmount), unitAmount, "A unit amount must not be negative.");
        }

        UnitAmount = unitAmount;
    }

    public Money UnitAmount { get; }

    public override Money PriceFor(long quantity)
    {
        EnsureQuantity(quantity);
        return UnitAmount * quantity;
    }
}
