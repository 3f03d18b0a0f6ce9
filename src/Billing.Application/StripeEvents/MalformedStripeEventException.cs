namespace Billing.Application.StripeEvents;

/// <summary>A stored payload that is not a readable Stripe event (it was verified on receipt, so this means a shape the reader does not know).</summary>
public sealed class MalformedStripeEventException : Exception
{
    public MalformedStripeEventException()
    {
    }

    public MalformedStripeEventException(string message)
        : base(message)
    {
    }

    public MalformedStripeEventException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
