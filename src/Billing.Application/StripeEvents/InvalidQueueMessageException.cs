namespace Billing.Application.StripeEvents;

/// <summary>A queue message that can never be processed; it fails every attempt and ends in the poison queue for inspection.</summary>
public sealed class InvalidQueueMessageException : Exception
{
    public InvalidQueueMessageException()
    {
    }

    public InvalidQueueMessageException(string message)
        : base(message)
    {
    }

    public InvalidQueueMessageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
