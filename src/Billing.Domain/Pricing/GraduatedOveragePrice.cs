namespace Billing.Domain.Pricing;

/// <summary>
/// Graduated tiers: each unit is priced by the tier it falls in. Tiers are ascending by upper bound and the last
/// one is open-ended, so every quantity is priced.
/// </summary>
public sealed class GraduatedOveragePrice : OveragePrice
{
    public GraduatedOveragePrice(IReadOnlyList<PriceTier> tiers)
        : base(FirstCurrency(tiers))
    {
        long previous = 0;
        for (var i = 0; i < tiers.Count; i++)
        {
            var tier = tiers[i];
            if (tier.UnitAmount.Currency != Currency)
            {
                throw new CurrencyMismatchException(Currency, tier.UnitAmount.Currency);
            }

            var isLast = i == tiers.Count - 1;
            if (tier.UpTo is null != isLast)
            {
                throw new ArgumentException("Only the last tier is open-ended (UpTo = null), and it must be.", nameof(tiers));
            }

            if (tier.UpTo is { } upTo)
            {
                if (upTo <= previous)
                {
                    throw new ArgumentException("Tier upper bounds must be strictly ascending.", nameof(tiers));
                }

                previous = upTo;
            }
        }

        Tiers = [.. tiers];
    }

    public IReadOnlyList<PriceTier> Tiers { get; }

    public override Money PriceFor(long quantity)
    {
        EnsureQuantity(quantity);
        var total = Money.Zero(Currency);
        long pricedSoFar = 0;
        foreach (var tier in Tiers)
        {
            if (quantity <= pricedSoFar)
            {
                break;
            }

            var upper = tier.UpTo is { } upTo ? Math.Min(upTo, quantity) : quantity;
            var unitsInTier = upper - pricedSoFar;
            total = total + (tier.UnitAmount * unitsInTier) + tier.FlatAmount;
            pricedSoFar = upper;
        }

        return total;
    }

    private static Currency FirstCurrency(IReadOnlyList<PriceTier> tiers)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        if (tiers.Count == 0)
        {
            throw new ArgumentException("A graduated price needs at least one tier.", nameof(tiers));
        }

        return tiers[0].UnitAmount.Currency;
    }
}
