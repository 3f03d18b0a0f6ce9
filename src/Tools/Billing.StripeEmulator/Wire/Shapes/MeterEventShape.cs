using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

internal static class MeterEventShape
{
    public static JsonObject ToJson(MeterEventRecord meterEvent)
    {
        var payload = new JsonObject();
        foreach (var (key, value) in meterEvent.Payload)
        {
            payload[key] = value;
        }

        return new JsonObject
        {
            ["object"] = "billing.meter_event",
            ["created"] = meterEvent.Created,
            ["event_name"] = meterEvent.EventName,
            ["identifier"] = meterEvent.Identifier,
            ["livemode"] = false,
            ["payload"] = payload,
            ["timestamp"] = meterEvent.Timestamp,
        };
    }
}
