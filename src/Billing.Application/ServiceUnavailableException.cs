namespace Billing.Application;

/// <summary>
/// A service the application depends on (the queue service, Cosmos DB) could not be reached, or answered that it is
/// unavailable or throttled the request, after its client's retries. Thrown by the adapters, so a use case and the API's one problem mapping (503
/// <c>unavailable</c>) need not know the SDK's failures. The operations that throw it are safe to run again.
/// </summary>
public sealed class ServiceUnavailableException : Exception
{
    public ServiceUnavailableException()
    {
    }

    public ServiceUnavailableException(string message)
        : base(message)
    {
    }

    public ServiceUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
