using System.Net;
using Microsoft.Extensions.Logging;

namespace Billing.Stripe.Http;

/// <summary>Log messages of the requestor. Paths only: never the key, the query or any body.</summary>
internal static partial class StripeLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Stripe {Method} {Path} answered {StatusCode} on attempt {Attempt} (request {RequestId})")]
    public static partial void Answered(ILogger logger, HttpMethod method, string path, HttpStatusCode statusCode, int attempt, string? requestId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Stripe {Method} {Path} attempt {Attempt} failed ({Failure}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, HttpMethod method, string path, int attempt, string failure, long delayMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Stripe {Method} {Path} failed with {StatusCode} {ErrorType}/{ErrorCode} (request {RequestId})")]
    public static partial void Failed(ILogger logger, HttpMethod method, string path, HttpStatusCode statusCode, string? errorType, string? errorCode, string? requestId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Stripe {Method} {Path} got no response after {Attempts} attempts")]
    public static partial void ConnectionFailed(ILogger logger, HttpMethod method, string path, int attempts, Exception exception);
}
