using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Billing.Stripe.Errors;
using Billing.Stripe.Serialization;
using Microsoft.Extensions.Logging;

namespace Billing.Stripe.Http;

/// <summary>Sends one API call: builds the request (auth, version, idempotency key, form body or query), retries
/// with Stripe's policy, enforces the per-attempt timeout and maps the answer to an object or a typed error.</summary>
internal sealed class StripeRequestor
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string StripeVersionHeader = "Stripe-Version";
    public const string RequestIdHeader = "Request-Id";
    private const string FormContentType = "application/x-www-form-urlencoded";
    private const string UserAgent = "Billing.Stripe/1.0";

    private readonly HttpClient httpClient;
    private readonly string apiBase;
    private readonly AuthenticationHeaderValue authorization;
    private readonly int maxNetworkRetries;
    private readonly TimeSpan timeout;
    private readonly IStripeRetryDelay retryDelay;
    private readonly ILogger logger;

    public StripeRequestor(HttpClient httpClient, StripeClientOptions options, IStripeRetryDelay retryDelay, ILogger logger)
    {
        this.httpClient = httpClient;
        apiBase = options.ApiBase.AbsoluteUri.TrimEnd('/');
        authorization = new AuthenticationHeaderValue("Bearer", options.SecretKey);
        maxNetworkRetries = options.MaxNetworkRetries;
        timeout = options.Timeout;
        this.retryDelay = retryDelay;
        this.logger = logger;
    }

    public Task<T> GetAsync<T>(string path, string? query, JsonTypeInfo<T> responseType, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, query, responseType, null, cancellationToken);

    public Task<T> DeleteAsync<T>(string path, string? query, JsonTypeInfo<T> responseType, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, path, query, responseType, null, cancellationToken);

    public Task<T> PostAsync<T>(string path, string form, JsonTypeInfo<T> responseType, StripeRequestOptions? requestOptions, CancellationToken cancellationToken)
    {
        var idempotencyKey = requestOptions?.IdempotencyKey;
        if (idempotencyKey is not null && string.IsNullOrWhiteSpace(idempotencyKey))
        {
            throw new ArgumentException("An idempotency key must not be empty or blank.", nameof(requestOptions));
        }

        // One key per call, reused by every retry of it, so Stripe replays instead of repeating the operation.
        return SendAsync(HttpMethod.Post, path, form, responseType, idempotencyKey ?? Guid.NewGuid().ToString(), cancellationToken);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, string? parameters, JsonTypeInfo<T> responseType, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var uri = method == HttpMethod.Post || string.IsNullOrEmpty(parameters)
            ? new Uri(apiBase + path)
            : new Uri(apiBase + path + "?" + parameters);

        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var canRetry = attempt <= maxNetworkRetries;
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(timeout);
            using var request = BuildRequest(method, uri, parameters, idempotencyKey);

            HttpResponseMessage response;
            string body;
            try
            {
                response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptTimeout.Token).ConfigureAwait(false);
                try
                {
                    body = await response.Content.ReadAsStringAsync(attemptTimeout.Token).ConfigureAwait(false);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }
            catch (Exception exception) when (IsTransportFailure(exception, cancellationToken))
            {
                var isTimeout = exception is OperationCanceledException;
                if (!canRetry)
                {
                    StripeLog.ConnectionFailed(logger, method, path, attempt, exception);
                    throw new StripeConnectionException(
                        isTimeout
                            ? $"Stripe {method} {path}: no response within {timeout.TotalSeconds:0.###} s after {attempt} attempt(s)."
                            : $"Stripe {method} {path}: network failure after {attempt} attempt(s): {exception.Message}",
                        exception)
                    {
                        IsTimeout = isTimeout,
                    };
                }

                await WaitBeforeRetryAsync(method, path, attempt, isTimeout ? "timeout" : "network error", cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (response)
            {
                var requestId = response.Headers.TryGetValues(RequestIdHeader, out var ids) ? ids.FirstOrDefault() : null;
                StripeLog.Answered(logger, method, path, response.StatusCode, attempt, requestId);
                if (response.IsSuccessStatusCode)
                {
                    return ParseSuccess(body, responseType, response, requestId);
                }

                if (canRetry && StripeRetryPolicy.ShouldRetry(response))
                {
                    await WaitBeforeRetryAsync(method, path, attempt, "HTTP " + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var error = MapError(body, response, requestId);
                if (error is StripeApiException api)
                {
                    StripeLog.Failed(logger, method, path, response.StatusCode, api.ErrorType, api.Code, requestId);
                }

                throw error;
            }
        }
    }

    /// <summary>Network failures and timeouts are retried; the caller's own cancellation is not (it propagates).</summary>
    private static bool IsTransportFailure(Exception exception, CancellationToken callerToken) =>
        exception switch
        {
            OperationCanceledException => !callerToken.IsCancellationRequested,
            HttpRequestException => true,
            IOException => true,
            _ => false,
        };

    private async Task WaitBeforeRetryAsync(HttpMethod method, string path, int attempt, string failure, CancellationToken cancellationToken)
    {
        var delay = StripeRetryPolicy.Delay(attempt, StripeRetryPolicy.NextJitter());
        StripeLog.Retrying(logger, method, path, attempt, failure, (long)delay.TotalMilliseconds);
        await retryDelay.DelayAsync(delay, cancellationToken).ConfigureAwait(false);
    }

    private HttpRequestMessage BuildRequest(HttpMethod method, Uri uri, string? parameters, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = authorization;
        request.Headers.TryAddWithoutValidation(StripeVersionHeader, StripeApiVersion.Current);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, idempotencyKey);
        }

        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(parameters ?? string.Empty, Encoding.UTF8, FormContentType);
        }

        return request;
    }

    private static T ParseSuccess<T>(string body, JsonTypeInfo<T> responseType, HttpResponseMessage response, string? requestId)
    {
        try
        {
            var value = JsonSerializer.Deserialize(body, responseType);
            if (value is not null)
            {
                return value;
            }
        }
        catch (JsonException exception)
        {
            throw new StripeInvalidResponseException($"Stripe answered {(int)response.StatusCode} with a body that is not a valid {typeof(T).Name}: {exception.Message}", exception)
            {
                StatusCode = response.StatusCode,
                RequestId = requestId,
                RawBody = body,
            };
        }

        throw new StripeInvalidResponseException($"Stripe answered {(int)response.StatusCode} with an empty body.")
        {
            StatusCode = response.StatusCode,
            RequestId = requestId,
            RawBody = body,
        };
    }

    private static StripeException MapError(string body, HttpResponseMessage response, string? requestId)
    {
        StripeError? error = null;
        try
        {
            error = JsonSerializer.Deserialize(body, StripeJsonContext.Default.StripeErrorEnvelope)?.Error;
        }
        catch (JsonException)
        {
            // Not JSON: reported below as an invalid response with the raw body.
        }

        if (error is null)
        {
            return new StripeInvalidResponseException($"Stripe answered {(int)response.StatusCode} without a JSON error object.")
            {
                StatusCode = response.StatusCode,
                RequestId = requestId,
                RawBody = body,
            };
        }

        return new StripeApiException(error.Message ?? $"Stripe answered {(int)response.StatusCode} ({error.Type}).")
        {
            StatusCode = response.StatusCode,
            RequestId = requestId,
            Error = error,
        };
    }
}
