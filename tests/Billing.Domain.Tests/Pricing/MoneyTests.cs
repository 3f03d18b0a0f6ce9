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
    public void Equal_amounts_are_neither_less_nor_greater_than_each_other()
    {
        var a = new Money(1_250, Usd);
        var same = new Money(1_250, Usd);
        var less = new Money(399, Usd);

        Assert.False(a < same);
        Assert.False(a > same);
        Assert.True(a <= same);
        Assert.True(a >= same);
        Assert.True(less <= a);
        Assert.False(less > a);
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

    [Theory]
    [InlineData("isk", 100)] // whole krónur written with two decimals
    [InlineData("ugx", 100)] // whole shillings written with two decimals (not Stripe's zero-decimal 1)
    [InlineData("kwd", 10)] // three decimals, the last one 0
    [InlineData("bhd", 10)]
    [InlineData("jod", 10)]
    [InlineData("omr", 10)]
    [InlineData("tnd", 10)]
    [InlineData("usd", 1)]
    [InlineData("jpy", 1)]
    [InlineData("huf", 1)] // whole forints are a payout rule only: charges take two decimals
    [InlineData("twd", 1)] // likewise
    public void Stripe_charges_a_currency_in_steps_of_its_minor_unit_step(string code, long step)
    {
        var currency = Currency.Parse(code);

        Assert.Equal(step, currency.MinorUnitStep);
        Assert.True(currency.IsWhole(0));
        Assert.True(currency.IsWhole(7 * step));
        Assert.True(currency.IsWhole(-7 * step));
        Assert.Equal(step == 1, currency.IsWhole(150 + 1));
    }

    [Theory]
    [InlineData("isk", 150, "150 is not an amount of isk Stripe can charge: it must be a multiple of 100 (Stripe writes isk with two decimals but charges whole units only: 500 is 5 isk).")]
    [InlineData("kwd", -5125, "-5125 is not an amount of kwd Stripe can charge: it must be a multiple of 10 (Stripe writes kwd with three decimals but charges the last one 0 only: 5120 is 5.120 kwd).")]
    public void A_fraction_Stripe_cannot_charge_is_refused_with_the_step_and_why(string code, long amount, string expected)
    {
        var currency = Currency.Parse(code);

        Assert.False(currency.IsWhole(amount));
        Assert.Equal(expected, currency.NotWholeMessage(amount));
    }

    [Fact]
    public void Formats_invariantly()
    {
        Assert.Equal("-1500 eur", new Money(-1_500, Eur).ToString());
    }

    [Theory]
    [InlineData(15)]
    [InlineData(16)]
    public void A_refused_currency_is_repeated_by_whole_characters_only(int asciiBefore)
    {
        var code = new string('u', asciiBefore) + string.Concat(Enumerable.Repeat("\U0001F4B5", 4));

        var quoted = Currency.InvalidMessage(code).Split('\'')[1];

        Assert.EndsWith("...", quoted, StringComparison.Ordinal);
        Assert.StartsWith(quoted[..^3], code, StringComparison.Ordinal); // a lone half of a pair would be written as U+FFFD
        Assert.False(char.IsHighSurrogate(quoted[^4]), "cut inside a surrogate pair");
    }
}
