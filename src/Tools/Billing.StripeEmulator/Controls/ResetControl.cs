using System.Text.Json.Nodes;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Webhooks;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;

namespace Billing.StripeEmulator.Controls;

/// <summary>
/// `POST /_emulator/reset`: back to the start: state (catalog re-seeded), clock offset, idempotency keys, queued
/// and held deliveries, delivery records, runtime endpoints, hold and duplicate switches.
/// </summary>
internal static class ResetControl
{
    public static IEndpointRouteBuilder MapResetControl(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/_emulator/reset", ResetAsync);
        return routes;
    }

    private static async Task<IResult> ResetAsync(HttpContext context, EmulatorStore store, EmulatorClock clock, WebhookDispatcher dispatcher, WebhookEndpointRegistry endpoints, IdempotencyStore idempotency)
    {
        context.Params().AllowOnly();
        await dispatcher.ResetAsync(context.RequestAborted);
        endpoints.ResetRuntime();
        idempotency.Clear();
        clock.Reset();
        store.Reset();
        return StripeResults.Json(new JsonObject { ["object"] = "emulator.reset", ["now"] = clock.UnixNow() });
    }
}
