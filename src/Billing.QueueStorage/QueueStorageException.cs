namespace Billing.QueueStorage;

// API CONTRACT (skeleton): replaced by the queue-client work.

/// <summary>A Queue service request failed.</summary>
public sealed class QueueStorageException : Exception
{
    public QueueStorageException()
    {
    }

    public QueueStorageException(string message)
        : base(message)
    {
    }

    public QueueStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
