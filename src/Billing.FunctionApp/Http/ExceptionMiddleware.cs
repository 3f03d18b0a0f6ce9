using Billing.Application;
using Billing.Application.Accounts;
using Billing.Application.Credits;
using Billing.Application.Payments;
using Billing.Application.Usage;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Billing.FunctionApp.Http;

/// <summary>
/// The outermost worker middleware. For HTTP functions it turns failures into problem details: the usage store busy
/// before counting (503), the database or the queue service not reachable (503), Stripe unreachable or
/// refusing (503 with Retry-After, or 502), an account update that kept losing to concurrent writers (503), anything
/// else 500 without internals; each is logged once without payloads. Queue and timer failures are rethrown so the
/// host retries the message and, in the end, moves it to the poison queue.
/// Every HTTP answer, a refusal by the middlewares inside this one too, is <c>Cache-Control: no-store</c> unless its
/// function says otherwise (the plan catalog and the OpenAPI document are the cacheable ones); a failure's answer always is.
/// Every HTTP answer is <c>X-Content-Type-Options: nosniff</c> too.
/// </summary>
internal sealed partial class ExceptionMiddleware(ILogger<ExceptionMiddleware> logger) : IFunctionsWorkerMiddleware
{
    private const string NotStored = "no-store";

    /// <summary>A browser must take every answer as the media type it names (JSON, problem+json), never guess another from its bytes.</summary>
    private const string NoSniff = "nosniff";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is { } answer)
        {
            answer.Response.Headers.CacheControl = NotStored;
            answer.Response.Headers.XContentTypeOptions = NoSniff;
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception exception) when (context.GetHttpContext() is { } http && !http.RequestAborted.IsCancellationRequested)
        {
            var (status, title, detail, code) = exception switch
            {
                PaymentProviderException { IsTransient: true } => (StatusCodes.Status503ServiceUnavailable, "Payment provider unavailable", "Stripe could not be reached; try again shortly.", "stripe_unavailable"),
                PaymentProviderException => (StatusCodes.Status502BadGateway, "Payment provider error", "Stripe refused the request.", "stripe_error"),
                AccountUpdateConflictException or CreditLedgerContentionException => (StatusCodes.Status503ServiceUnavailable, "Busy", "The account is being changed by other requests; try again shortly.", "busy"),
                UsageNotCountedException => (StatusCodes.Status503ServiceUnavailable, "Busy", "The usage store is busy; nothing was counted. Retry with the same idempotency key.", "busy"),

                // The queue service or Cosmos DB down, throttling or timing out (their adapters say so); what the call did
                // before, and what timed out, is safe to do again.
                ServiceUnavailableException { MayHaveBeenDone: true } =>
                    (StatusCodes.Status503ServiceUnavailable, "Service unavailable", "A service the billing API depends on did not answer in time; the request may have been done. Try again shortly: a retry is safe.", "unavailable"),
                ServiceUnavailableException =>
                    (StatusCodes.Status503ServiceUnavailable, "Service unavailable", "A service the billing API depends on could not be reached. Try again shortly: a retry is safe.", "unavailable"),

                // No connection could be made (Cosmos DB down or unreachable; Stripe's failures arrive wrapped above):
                // nothing was sent, so nothing changed.
                HttpRequestException connection when ServiceUnavailableException.IsNoConnection(connection) =>
                    (StatusCodes.Status503ServiceUnavailable, "Service unavailable", "A service the billing API depends on could not be reached; nothing was changed. Try again shortly.", "unavailable"),
                _ => (StatusCodes.Status500InternalServerError, "Internal error", "The request failed unexpectedly; it was logged.", "internal_error"),
            };
            if (status == StatusCodes.Status500InternalServerError)
            {
                LogUnexpected(exception, context.FunctionDefinition.Name);
            }
            else
            {
                LogHandled(context.FunctionDefinition.Name, exception.GetType().Name, status);
            }

            http.Response.Headers.CacheControl = NotStored; // the function may have made its answer cacheable before it failed
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                http.Response.Headers.RetryAfter = "2";
                http.Response.Headers.AccessControlExposeHeaders = "Retry-After"; // a browser page on another origin may read it
            }

            context.GetInvocationResult().Value = Problems.Of(status, title, detail, code);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: {ExceptionType}; answered {Status}")]
    private partial void LogHandled(string function, string exceptionType, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function} failed unexpectedly; answered 500")]
    private partial void LogUnexpected(Exception exception, string function);
}
