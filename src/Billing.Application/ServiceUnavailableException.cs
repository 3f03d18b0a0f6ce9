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

    /// <summary>
    /// No connection could be made to a dependency (refused, name not resolved, TLS failed), so nothing was sent and
    /// nothing changed: the raw <see cref="HttpRequestException"/> the Cosmos DB SDK throws then (Stripe's and the queue
    /// service's failures arrive wrapped by their adapters). An outage like this exception, for every caller that tells one.
    /// </summary>
    public static bool IsNoConnection(Exception exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError };

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
