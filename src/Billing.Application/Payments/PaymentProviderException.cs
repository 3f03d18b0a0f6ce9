namespace Billing.Application.Payments;

/// <summary>Stripe could not be reached or refused the request; the message never contains keys or payloads.</summary>
public sealed class PaymentProviderException : Exception
{
    public PaymentProviderException()
    {
    }

    public PaymentProviderException(string message)
        : base(message)
    {
    }

    public PaymentProviderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when trying again later may succeed (network failure, timeout, Stripe 5xx or 429).</summary>
    public bool IsTransient { get; init; }
}
