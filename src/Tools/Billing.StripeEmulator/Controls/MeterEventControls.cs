using System.Text.Json.Nodes;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Controls;

/// <summary>`GET /_emulator/billing/meter_events?event_name=&amp;customer=`: the meter events received, oldest first, with their sum.</summary>
internal static class MeterEventControls
{
    public static IEndpointRouteBuilder MapMeterEventControls(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/_emulator/billing/meter_events", List);
        return routes;
    }

    private static IResult List(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("event_name", "customer");
        var eventName = p.NonEmptyString("event_name");
        var customer = p.NonEmptyString("customer");
        return StripeResults.Json(store.Read(state =>
        {
            var events = state.MeterEvents
                .Where(e => eventName is null || e.EventName == eventName)
                .Where(e => customer is null || e.Payload.GetValueOrDefault("stripe_customer_id") == customer)
                .ToList();
            var total = events.Sum(e => decimal.TryParse(e.Payload.GetValueOrDefault("value"), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0);
            var list = StripeJson.List("/_emulator/billing/meter_events", events.Select(e => (JsonNode)MeterEventShape.ToJson(e)), hasMore: false);
            list["total_value"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return list;
        }));
    }
}
