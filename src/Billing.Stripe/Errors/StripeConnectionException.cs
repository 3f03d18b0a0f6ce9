namespace Billing.Stripe.Errors;

/// <summary>No response: network failure or timeout on every attempt. The inner exception is the last failure.</summary>
public sealed class StripeConnectionException : StripeException
{
    public StripeConnectionException()
    {
    }

    public StripeConnectionException(string message)
        : base(message)
    {
    }

    public StripeConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the last attempt timed out (as opposed to a network error).</summary>
    public bool IsTimeout { get; init; }
}
