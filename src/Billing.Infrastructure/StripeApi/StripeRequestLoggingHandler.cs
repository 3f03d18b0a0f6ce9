using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// Logs every attempt Stripe.net makes (each retry passes here too): method, path, status, Stripe's request id and
/// the duration (on the injected clock). Never the query string (search queries hold account ids) nor a body.
/// </summary>
internal sealed partial class StripeRequestLoggingHandler(TimeProvider time, ILogger<StripeRequestLoggingHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetTimestamp();
        var method = request.Method.Method;
        var path = request.RequestUri?.AbsolutePath ?? "";
        var hasIdempotencyKey = request.Headers.TryGetValues("Idempotency-Key", out _);
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var requestId = response.Headers.TryGetValues("Request-Id", out var values) ? values.FirstOrDefault() : null;
            var elapsed = time.GetElapsedTime(started).TotalMilliseconds;
            if ((int)response.StatusCode >= 500 || (int)response.StatusCode == 429 || (int)response.StatusCode == 409)
            {
                LogAnswerRetryable(method, path, (int)response.StatusCode, requestId, elapsed);
            }
            else
            {
                LogAnswered(method, path, (int)response.StatusCode, requestId, elapsed, hasIdempotencyKey);
            }

            return response;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            LogNoAnswer(method, path, exception.GetType().Name, time.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stripe {Method} {Path} answered {Status} (request {RequestId}) in {ElapsedMs:0} ms; idempotency key sent: {HasIdempotencyKey}")]
    private partial void LogAnswered(string method, string path, int status, string? requestId, double elapsedMs, bool hasIdempotencyKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe {Method} {Path} answered {Status} (request {RequestId}) in {ElapsedMs:0} ms")]
    private partial void LogAnswerRetryable(string method, string path, int status, string? requestId, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe {Method} {Path} got no answer ({Failure}) after {ElapsedMs:0} ms")]
    private partial void LogNoAnswer(string method, string path, string failure, double elapsedMs);
}
