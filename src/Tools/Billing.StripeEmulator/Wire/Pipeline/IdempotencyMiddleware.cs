using System.Globalization;

namespace Billing.StripeEmulator.Wire.Pipeline;

/// <summary>
/// Stripe's idempotent requests for POST: the first response for a key (status and body) is saved once the
/// endpoint ran, and replayed (`Idempotent-Replayed: true`) for a retry with the same parameters. The key belongs
/// to the secret key that used it and to the endpoint it was first used on; other parameters or another endpoint
/// -> 400 `idempotency_error`. Validation failures (400/404 invalid_request_error) are not saved. Requests with
/// the same key wait for each other, so concurrent retries still create one object.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencyStore store, TimeProvider time)
{
    private const int MaxKeyLength = 255;

    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.IdempotencyKey();
        var apiKey = context.ApiKey();
        if (key is null || apiKey is null)
        {
            await next(context);
            return;
        }

        if (key.Length > MaxKeyLength)
        {
            throw StripeApiException.InvalidRequest($"Idempotency-Key must be at most {MaxKeyLength.ToString(CultureInfo.InvariantCulture)} characters long.", null);
        }

        var endpoint = $"{context.Request.Method} {context.Request.Path}";
        var fingerprint = string.Join('&', context.Params().Node.Flatten().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        var entry = await store.AcquireAsync(apiKey, key, context.RequestAborted);
        try
        {
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            if (entry.Saved is { } saved && saved.IsReplayableAt(now))
            {
                await ReplayAsync(context, saved, key, endpoint, fingerprint);
                return;
            }

            var response = await RunAndCaptureAsync(context);
            if (IsSaved(context.Error()))
            {
                entry.Saved = new SavedResponse(endpoint, fingerprint, response.StatusCode, response.ContentType, response.Body, context.RequestId(), now);
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Stripe saves what an endpoint answered once it began executing; parameter errors leave the key free.</summary>
    private static bool IsSaved(StripeApiException? error) =>
        error is null || error.Type != ErrorTypes.InvalidRequest;

    private static async Task ReplayAsync(HttpContext context, SavedResponse saved, string key, string endpoint, string fingerprint)
    {
        if (saved.Endpoint != endpoint)
        {
            throw StripeApiException.Idempotency(
                $"Keys for idempotent requests can only be used for the same endpoint they were first used for ('{saved.Endpoint}' vs '{endpoint}'). Try using a key other than '{key}' if you meant to execute a different request.");
        }

        if (saved.Fingerprint != fingerprint)
        {
            throw StripeApiException.Idempotency(
                $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.");
        }

        context.Response.StatusCode = saved.StatusCode;
        context.Response.ContentType = saved.ContentType;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        context.Response.Headers["Original-Request"] = saved.RequestId;
        context.Response.Headers["Idempotency-Key"] = key;
        await context.Response.Body.WriteAsync(saved.Body, context.RequestAborted);
    }

    private async Task<(int StatusCode, string ContentType, byte[] Body)> RunAndCaptureAsync(HttpContext context)
    {
        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = buffer.ToArray();
        context.Response.Headers["Idempotency-Key"] = context.IdempotencyKey();
        await original.WriteAsync(body, context.RequestAborted);
        return (context.Response.StatusCode, context.Response.ContentType ?? "application/json", body);
    }
}
