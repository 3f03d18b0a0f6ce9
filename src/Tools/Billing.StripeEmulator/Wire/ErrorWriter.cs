using System.Text.Json.Nodes;
using Billing.StripeEmulator.Wire.Pipeline;

namespace Billing.StripeEmulator.Wire;

/// <summary>Writes `{"error": {...}}` with only the fields that apply, as Stripe does.</summary>
internal static class ErrorWriter
{
    public static JsonObject ToJson(StripeApiException error)
    {
        var body = new JsonObject();
        if (error.Code is not null)
        {
            body["code"] = error.Code;
        }

        if (error.DeclineCode is not null)
        {
            body["decline_code"] = error.DeclineCode;
        }

        if (error.Code is not null)
        {
            body["doc_url"] = $"https://docs.stripe.com/error-codes/{error.Code.Replace('_', '-')}";
        }

        body["message"] = error.Message;
        if (error.Param is not null)
        {
            body["param"] = error.Param;
        }

        body["type"] = error.Type;
        return new JsonObject { ["error"] = body };
    }

    public static async Task WriteAsync(HttpContext context, StripeApiException error, Action<HttpResponse>? addHeaders = null)
    {
        context.Response.Clear();
        context.SetError(error);
        addHeaders?.Invoke(context.Response);
        context.Response.StatusCode = error.StatusCode;
        context.Response.ContentType = "application/json";
        if (error.ShouldRetry is { } shouldRetry)
        {
            context.Response.Headers["Stripe-Should-Retry"] = shouldRetry ? "true" : "false";
        }

        await context.Response.WriteAsync(StripeJson.Serialize(ToJson(error)), context.RequestAborted);
    }
}
