using System.Text.Json.Nodes;
using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Webhooks;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;

namespace Billing.StripeEmulator.Controls;

/// <summary>`GET /_emulator/events/{id}/deliveries` and `POST /_emulator/events/{id}/redeliver` (optional `url`).</summary>
internal static class EventControls
{
    public static IEndpointRouteBuilder MapEventControls(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/_emulator/events/{id}/deliveries", Deliveries);
        routes.MapPost("/_emulator/events/{id}/redeliver", Redeliver);
        return routes;
    }

    private static IResult Deliveries(string id, HttpContext context, EmulatorStore store, WebhookDispatcher dispatcher)
    {
        context.Params().AllowOnly();
        store.Read(state => Lookup.Event(state, id));
        var attempts = dispatcher.AttemptsFor(id).Select(attempt => (JsonNode)new JsonObject
        {
            ["object"] = "emulator.webhook_delivery",
            ["event"] = id,
            ["endpoint"] = attempt.EndpointId,
            ["url"] = attempt.Url,
            ["attempt"] = attempt.Attempt,
            ["kind"] = attempt.Kind,
            ["attempted_at"] = attempt.AttemptedAt,
            ["status_code"] = attempt.StatusCode,
            ["error"] = attempt.Error,
            ["duration_ms"] = attempt.DurationMs,
            ["succeeded"] = attempt.Succeeded,
            ["next_retry_at"] = attempt.NextRetryAt,
        });
        return StripeResults.Json(StripeJson.List($"/_emulator/events/{id}/deliveries", attempts, hasMore: false));
    }

    private static IResult Redeliver(string id, HttpContext context, EmulatorStore store, WebhookDispatcher dispatcher)
    {
        var p = context.Params().AllowOnly("url");
        Uri? url = null;
        if (p.NonEmptyString("url") is { } text && !Uri.TryCreate(text, UriKind.Absolute, out url))
        {
            throw StripeApiException.ParameterInvalid("url", $"Invalid url: {text}");
        }

        var record = store.Read(state => Lookup.Event(state, id));
        var count = dispatcher.Redeliver(record, url);
        if (url is not null && count == 0)
        {
            throw StripeApiException.ParameterInvalid("url", $"No webhook endpoint is registered at {url}.");
        }

        return StripeResults.Json(new JsonObject { ["object"] = "emulator.redelivery", ["event"] = id, ["endpoints"] = count });
    }
}
