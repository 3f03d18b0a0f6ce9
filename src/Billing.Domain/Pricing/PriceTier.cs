namespace Billing.Domain.Pricing;

/// <summary>
/// One tier of a graduated price: the units from the previous tier's <see cref="UpTo"/> (exclusive) up to this
/// <see cref="UpTo"/> (inclusive; null = no upper bound) cost <see cref="UnitAmount"/> each, plus
/// <see cref="FlatAmount"/> once when any unit falls in the tier (Stripe's graduated tiers work the same way).
/// </summary>
public sealed record PriceTier
{
    public PriceTier(long? upTo, Money unitAmount, Money flatAmount)
    {
        if (upTo is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(upTo), upTo, "A tier's upper bound must be positive.");
        }

        if (unitAmount.IsNegative || flatAmount.IsNegative)
        {
            throw new ArgumentException("Tier amounts must not be negative.", nameof(unitAmount));
        }

        if (unitAmount.Currency != flatAmount.Currency)
        {
            throw new CurrencyMismatchException(unitAmount.Currency, flatAmount.Currency);
        }

        UpTo = upTo;
        UnitAmount = unitAmount;
        FlatAmount = flatAmount;
    }

    public long? UpTo { get; }

    public Money UnitAmount { get; }

    public Money FlatAmount { get; }
}
