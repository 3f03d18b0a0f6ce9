using Billing.Domain.Pricing;

namespace Billing.Domain.Tests.Pricing;

public sealed class MoneyTests
{
    private static readonly Currency Usd = Currency.Parse("usd");
    private static readonly Currency Eur = Currency.Parse("eur");

    [Fact]
    public void Adds_subtracts_and_multiplies_within_one_currency()
    {
        var a = new Money(1_250, Usd);
        var b = new Money(399, Usd);

        Assert.Equal(new Money(1_649, Usd), a + b);
        Assert.Equal(new Money(851, Usd), a - b);
        Assert.Equal(new Money(-851, Usd), b - a);
        Assert.Equal(new Money(3_750, Usd), a * 3);
        Assert.Equal(new Money(3_750, Usd), 3 * a);
        Assert.True(b < a);
        Assert.True(a >= new Money(1_250, Usd));
    }

    [Fact]
    public void Mixing_currencies_throws()
    {
        var usd = new Money(100, Usd);
        var eur = new Money(100, Eur);

        Assert.Throws<CurrencyMismatchException>(() => usd + eur);
        Assert.Throws<CurrencyMismatchException>(() => usd - eur);
        Assert.Throws<CurrencyMismatchException>(() => usd < eur);
    }

    [Fact]
    public void Overflow_throws_instead_of_wrapping()
    {
        var max = new Money(long.MaxValue, Usd);

        Assert.Throws<OverflowException>(() => max + new Money(1, Usd));
        Assert.Throws<OverflowException>(() => new Money(long.MinValue, Usd) - new Money(1, Usd));
        Assert.Throws<OverflowException>(() => max * 2);
    }

    [Fact]
    public void Money_needs_a_currency()
    {
        Assert.Throws<ArgumentException>(() => new Money(1, default));
    }

    [Theory]
    [InlineData("usd", true)]
    [InlineData("eur", true)]
    [InlineData("USD", false)]
    [InlineData("us", false)]
    [InlineData("usdd", false)]
    [InlineData("u1d", false)]
    [InlineData("", false)]
    public void Currency_is_three_lower_case_letters_like_Stripe(string code, bool valid)
    {
        Assert.Equal(valid, Currency.TryParse(code, out _));
    }

    [Fact]
    public void Formats_invariantly()
    {
        Assert.Equal("-1500 eur", new Money(-1_500, Eur).ToString());
    }
}
