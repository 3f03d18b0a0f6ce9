namespace Billing.Application;

/// <summary>
/// A write-behind copy kept for the operators' views (an account's Stripe event history, the invoice index) was not
/// written; the write it copies is stored. Thrown by the adapters so that the delivery fails and the queue delivers it
/// again, and that delivery writes the copy again; on a message's last delivery the use case logs it instead
/// (<see cref="QueueDelivery.IsLast"/>). The message names the copy's document, never its content.
/// </summary>
public sealed class OperatorCopyNotWrittenException : Exception
{
    public OperatorCopyNotWrittenException()
    {
    }

    public OperatorCopyNotWrittenException(string message)
        : base(message)
    {
    }

    public OperatorCopyNotWrittenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
