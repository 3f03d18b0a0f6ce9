using Billing.StripeEmulator.State;

namespace Billing.StripeEmulator.Wire.Pipeline;

/// <summary>What the pipeline learned about a request, for the endpoint handlers.</summary>
internal static class RequestContext
{
    private const string RequestIdKey = "stripe.request_id";
    private const string ParamsKey = "stripe.params";
    private const string ApiKeyKey = "stripe.api_key";
    private const string ErrorKey = "stripe.error";

    public static string RequestId(this HttpContext context) =>
        context.Items.TryGetValue(RequestIdKey, out var id) && id is string value ? value : string.Empty;

    public static void SetRequestId(this HttpContext context, string id) => context.Items[RequestIdKey] = id;

    public static StripeParams Params(this HttpContext context) =>
        context.Items.TryGetValue(ParamsKey, out var parameters) && parameters is StripeParams value ? value : StripeParams.Empty;

    public static void SetParams(this HttpContext context, StripeParams parameters) => context.Items[ParamsKey] = parameters;

    public static string? ApiKey(this HttpContext context) =>
        context.Items.TryGetValue(ApiKeyKey, out var key) ? key as string : null;

    public static void SetApiKey(this HttpContext context, string key) => context.Items[ApiKeyKey] = key;

    /// <summary>The error this request was answered with, if any.</summary>
    public static StripeApiException? Error(this HttpContext context) =>
        context.Items.TryGetValue(ErrorKey, out var error) ? error as StripeApiException : null;

    public static void SetError(this HttpContext context, StripeApiException error) => context.Items[ErrorKey] = error;

    public static string? IdempotencyKey(this HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) && context.Request.Headers.TryGetValue("Idempotency-Key", out var key) && !string.IsNullOrEmpty(key)
            ? key.ToString()
            : null;

    /// <summary>The `request` block of the events this request raises.</summary>
    public static RequestInfo RequestInfo(this HttpContext context) => new(context.RequestId(), context.IdempotencyKey());
}
