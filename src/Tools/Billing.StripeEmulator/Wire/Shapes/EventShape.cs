using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

internal static class EventShape
{
    public const string ApiVersion = "2026-07-29.dahlia";

    public static JsonObject ToJson(EventRecord record)
    {
        var data = new JsonObject { ["object"] = JsonNode.Parse(record.DataObjectJson) };
        if (record.PreviousAttributesJson is not null)
        {
            data["previous_attributes"] = JsonNode.Parse(record.PreviousAttributesJson);
        }

        return new JsonObject
        {
            ["id"] = record.Id,
            ["object"] = "event",
            ["api_version"] = ApiVersion,
            ["created"] = record.Created,
            ["data"] = data,
            ["livemode"] = false,
            ["pending_webhooks"] = record.PendingWebhooks,
            ["request"] = new JsonObject { ["id"] = record.Request.Id, ["idempotency_key"] = record.Request.IdempotencyKey },
            ["type"] = record.Type,
        };
    }
}
