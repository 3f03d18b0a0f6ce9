using Azure;
using Billing.Application;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// Tells an outage of the queue service (no connection, no answer within the network timeout, a 5xx after the client's
/// retries) from a refusal (a 4xx such as a missing role: a deployment error, which stays one), and turns an outage
/// into the application's <see cref="ServiceUnavailableException"/>.
/// </summary>
internal static class QueueOutage
{
    public static bool Is(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException { Status: 0 or >= 500 } => true, // 0: the transport failed
        AggregateException { InnerExceptions.Count: > 0 } retries => retries.InnerExceptions.All(inner => Is(inner, cancellationToken)),
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // the client's network timeout, not the caller
        _ => false,
    };

    public static ServiceUnavailableException Of(string queue, Exception exception) =>
        new($"The queue service could not be reached for queue '{queue}'.", exception);
}
