namespace Billing.Domain.Pricing;

/// <summary>How units above a meter's included quota are charged.</summary>
public abstract class OveragePrice
{
    private protected OveragePrice(Currency currency) => Currency = currency;

    public Currency Currency { get; }

    /// <summary>The exact charge for <paramref name="quantity"/> overage units; zero for zero units.</summary>
    /// <exception cref="OverflowException">The charge does not fit in 64-bit minor units.</exception>
    public abstract Money PriceFor(long quantity);

    private protected static void EnsureQuantity(long quantity)
    {
        if (quantity < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "A quantity must not be negative.");
        }
    }
}
