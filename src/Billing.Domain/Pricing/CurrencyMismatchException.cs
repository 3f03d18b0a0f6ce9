namespace Billing.Domain.Pricing;

/// <summary>Money of two different currencies was combined or compared.</summary>
public sealed class CurrencyMismatchException : InvalidOperationException
{
    public CurrencyMismatchException()
    {
    }

    public CurrencyMismatchException(string message)
        : base(message)
    {
    }

    public CurrencyMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CurrencyMismatchException(Currency left, Currency right)
        : base($"Cannot combine amounts in '{left}' and '{right}': money arithmetic works within one currency.")
    {
    }
}
