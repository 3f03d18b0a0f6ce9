namespace Billing.Application;

/// <summary>
/// A service the application depends on (the queue service, Cosmos DB) could not be reached, answered that it is
/// unavailable or throttled the request, or did not answer in time, after its client's retries. Thrown by the adapters,
/// so a use case and the API's one problem mapping (503 <c>unavailable</c>) need not know the SDK's failures. The
/// operations that throw it are safe to run again.
/// </summary>
public sealed class ServiceUnavailableException : Exception
{
    /// <summary>
    /// The service may have done the operation (it timed out after the request was sent); false when it refused it, or no
    /// connection was made, so that nothing was done.
    /// </summary>
    public bool MayHaveBeenDone { get; init; }

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
