using System.Globalization;

namespace Billing.Domain.Pricing;

/// <summary>
/// An amount in integer minor units (cents for <c>usd</c>) of one currency. Arithmetic is exact and checked:
/// an overflow throws <see cref="OverflowException"/>, mixing currencies throws <see cref="CurrencyMismatchException"/>.
/// </summary>
public readonly record struct Money : IComparable<Money>
{
    public Money(long minorUnits, Currency currency)
    {
        if (currency.IsDefault)
        {
            throw new ArgumentException("Money needs a currency.", nameof(currency));
        }

        MinorUnits = minorUnits;
        Currency = currency;
    }

    public long MinorUnits { get; }

    public Currency Currency { get; }

    public bool IsNegative => MinorUnits < 0;

    public static Money Zero(Currency currency) => new(0, currency);

    public static Money operator +(Money left, Money right) => left.Add(right);

    public static Money operator -(Money left, Money right) => left.Subtract(right);

    public static Money operator *(Money money, long factor) => money.Multiply(factor);

    public static Money operator *(long factor, Money money) => money.Multiply(factor);

    public static bool operator <(Money left, Money right) => left.CompareTo(right) < 0;

    public static bool operator >(Money left, Money right) => left.CompareTo(right) > 0;

    public static bool operator <=(Money left, Money right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Money left, Money right) => left.CompareTo(right) >= 0;

    public Money Add(Money other)
    {
        EnsureSameCurrency(other);
        return new Money(checked(MinorUnits + other.MinorUnits), Currency);
    }

    public Money Subtract(Money other)
    {
        EnsureSameCurrency(other);
        return new Money(checked(MinorUnits - other.MinorUnits), Currency);
    }

    public Money Multiply(long factor) => new(checked(MinorUnits * factor), Currency);

    public int CompareTo(Money other)
    {
        EnsureSameCurrency(other);
        return MinorUnits.CompareTo(other.MinorUnits);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{MinorUnits} {Currency}");

    private void EnsureSameCurrency(Money other)
    {
        if (Currency != other.Currency)
        {
            throw new CurrencyMismatchException(Currency, other.Currency);
        }
    }
}
