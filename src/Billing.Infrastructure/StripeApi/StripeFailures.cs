using System.Globalization;
using System.Net;
using Billing.Application.Payments;
using Microsoft.Extensions.Logging;
using Stripe;

namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// Turns what Stripe.net throws into <see cref="PaymentProviderException"/>, the way the hand-written client's
/// gateway classified it: transient for no answer (connection failure, timeout), 409, 429 and 5xx; permanent for any
/// other answer. The message names the status, the error type and code and Stripe's request id, never
/// <see cref="Exception.Message"/> of a <see cref="StripeException"/>, which can hold the raw response body; for the
/// same reason the <see cref="StripeException"/> is not attached as the inner exception. A refusal is a warning (it is
/// about one request, and the caller answers or retries it), except Stripe refusing the key itself (401, 403): an error,
/// since every call fails until an operator sets the key right.
/// </summary>
internal static partial class StripeFailures
{
    /// <summary>The provider failure for <paramref name="exception"/>, or null when it is not a Stripe call's failure
    /// (a cancellation by the caller, a bug): let those propagate.</summary>
    public static PaymentProviderException? Classify(string action, Exception exception, ILogger logger, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case StripeException stripe:
                var status = (int)stripe.HttpStatusCode;
                var type = stripe.StripeError?.Type;
                var code = stripe.StripeError?.Code;
                var requestId = stripe.StripeResponse?.RequestId;
                if (RefusesTheKey(stripe.HttpStatusCode))
                {
                    LogKeyRefused(logger, action, status, type, code, requestId);
                }
                else
                {
                    LogRejected(logger, action, status, type, code, stripe.StripeError?.DeclineCode, requestId);
                }

                return new PaymentProviderException($"Could not {action}: {Describe(stripe, status, type, code, requestId)}.")
                {
                    IsTransient = IsTransient(stripe.HttpStatusCode),
                };
            case HttpRequestException:
                LogUnreachable(logger, action, exception.GetType().Name);
                return new PaymentProviderException($"Could not {action}: Stripe could not be reached.", exception) { IsTransient = true };
            case TaskCanceledException when !cancellationToken.IsCancellationRequested:
                LogUnreachable(logger, action, "timeout");
                return new PaymentProviderException($"Could not {action}: Stripe did not answer in time.", exception) { IsTransient = true };
            default:
                return null;
        }
    }

    /// <summary>True for an answer worth trying again later: 409 (a concurrent request under the same idempotency key), 429, 5xx.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>
    /// True when Stripe refused the key rather than the request: 401 (an invalid, revoked or rolled key) or 403 (a
    /// restricted key without the permission). Every call fails the same way until someone sets the key right.
    /// </summary>
    private static bool RefusesTheKey(HttpStatusCode status) => status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

    private static string Describe(StripeException exception, int status, string? type, string? code, string? requestId)
    {
        if (status == 0)
        {
            return "the request was refused before it reached Stripe (check the Stripe settings)";
        }

        if (exception.StripeError is null)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Stripe answered {status} with a body that is not a Stripe error (request {requestId})");
        }

        var decline = exception.StripeError.DeclineCode is { Length: > 0 } declineCode ? $", decline code {declineCode}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"Stripe answered {status} {type}/{code}{decline} (request {requestId})");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe refused to {Action}: {Status} {ErrorType}/{ErrorCode} decline {DeclineCode} (request {RequestId})")]
    private static partial void LogRejected(ILogger logger, string action, int status, string? errorType, string? errorCode, string? declineCode, string? requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe refused to {Action}: {Status} {ErrorType}/{ErrorCode} (request {RequestId}); Stripe refuses the secret key itself (revoked, rolled, or a restricted key without this permission): every such call fails until Stripe:SecretKey is set right")]
    private static partial void LogKeyRefused(ILogger logger, string action, int status, string? errorType, string? errorCode, string? requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not {Action}: no answer from Stripe ({Failure})")]
    private static partial void LogUnreachable(ILogger logger, string action, string failure);
}
