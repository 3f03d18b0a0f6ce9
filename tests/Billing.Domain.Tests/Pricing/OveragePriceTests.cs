using Billing.Domain.Pricing;

namespace Billing.Domain.Tests.Pricing;

public sealed class OveragePriceTests
{
    private static readonly Currency Usd = Currency.Parse("usd");

    private static Money Usd_(long minor) => new(minor, Usd);

    // 1..100 at 10 each; 101..1000 at 5 each plus 200 flat; 1001.. at 1 each.
    private static GraduatedOveragePrice Tiers() => new(
    [
        new PriceTier(100, Usd_(10), Usd_(0)),
        new PriceTier(1_000, Usd_(5), Usd_(200)),
        new PriceTier(null, Usd_(1), Usd_(0)),
    ]);

    [Fact]
    public void Per_unit_price_multiplies()
    {
        var price = new PerUnitOveragePrice(Usd_(7));

        Assert.Equal(Usd_(0), price.PriceFor(0));
        Assert.Equal(Usd_(7), price.PriceFor(1));
        Assert.Equal(Usd_(7_000_000), price.PriceFor(1_000_000));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 10)]
    [InlineData(100, 1_000)] // exactly the first bound: no flat amount of tier 2 yet
    [InlineData(101, 1_000 + 5 + 200)] // the first unit of tier 2 brings its flat amount
    [InlineData(1_000, 1_000 + (900 * 5) + 200)]
    [InlineData(1_001, 1_000 + (900 * 5) + 200 + 1)]
    [InlineData(5_000, 1_000 + (900 * 5) + 200 + 4_000)]
    public void Graduated_tiers_price_each_unit_in_its_tier(long quantity, long expected)
    {
        Assert.Equal(Usd_(expected), Tiers().PriceFor(quantity));
    }

    [Fact]
    public void A_single_open_ended_tier_is_a_per_unit_price()
    {
        var price = new GraduatedOveragePrice([new PriceTier(null, Usd_(3), Usd_(0))]);
        Assert.Equal(Usd_(30), price.PriceFor(10));
    }

    [Fact]
    public void Overflow_in_a_price_throws()
    {
        Assert.Throws<OverflowException>(() => new PerUnitOveragePrice(Usd_(long.MaxValue / 2)).PriceFor(3));
        Assert.Throws<OverflowException>(() => Tiers().PriceFor(long.MaxValue));
    }

    [Fact]
    public void Negative_quantities_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tiers().PriceFor(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerUnitOveragePrice(Usd_(1)).PriceFor(-1));
    }

    [Fact]
    public void Tiers_must_ascend_and_end_open()
    {
        Assert.Throws<ArgumentException>(() => new GraduatedOveragePrice([new PriceTier(10, Usd_(1), Usd_(0))]));
        Assert.Throws<ArgumentException>(() => new GraduatedOveragePrice(
            [new PriceTier(10, Usd_(1), Usd_(0)), new PriceTier(10, Usd_(1), Usd_(0)), new PriceTier(null, Usd_(1), Usd_(0))]));
        Assert.Throws<ArgumentException>(() => new GraduatedOveragePrice(
            [new PriceTier(null, Usd_(1), Usd_(0)), new PriceTier(null, Usd_(1), Usd_(0))]));
        Assert.Throws<ArgumentException>(() => new GraduatedOveragePrice([]));
    }

    [Fact]
    public void Tiers_in_mixed_currencies_are_rejected()
    {
        var eur = new Money(1, Currency.Parse("eur"));
        Assert.Throws<CurrencyMismatchException>(() => new GraduatedOveragePrice(
            [new PriceTier(10, Usd_(1), Usd_(0)), new PriceTier(null, eur, eur)]));
    }

    [Fact]
    public void A_tier_whose_unit_and_flat_amounts_differ_in_currency_is_rejected()
    {
        Assert.Throws<CurrencyMismatchException>(() => new PriceTier(10, Usd_(1), new Money(0, Currency.Parse("eur"))));
    }

    [Theory]
    [InlineData(0L, 1L, 0L)] // an upper bound of no unit
    [InlineData(-5L, 1L, 0L)]
    [InlineData(10L, -1L, 0L)] // a negative unit amount would credit the customer per unit
    [InlineData(10L, 1L, -1L)] // a negative flat amount
    [InlineData(null, 0L, -200L)]
    public void A_tier_with_a_bound_of_no_unit_or_a_negative_amount_is_rejected(long? upTo, long unitAmount, long flatAmount)
    {
        Assert.ThrowsAny<ArgumentException>(() => new PriceTier(upTo, Usd_(unitAmount), Usd_(flatAmount)));
    }

    [Fact]
    public void A_negative_unit_price_is_rejected_and_a_free_one_prices_nothing()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerUnitOveragePrice(Usd_(-1)));
        Assert.Equal(Usd_(0), new PerUnitOveragePrice(Usd_(0)).PriceFor(1_000));
        Assert.Equal(Usd_(0), new PriceTier(1, Usd_(0), Usd_(0)).UnitAmount);
    }
}
