using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

internal static class EventShape
{
    /// <summary>The version the emulator's objects are shaped for (Stripe.net 53.x pins it).</summary>
    public const string ApiVersion = "2026-10-28.endive";

    /// <summary>
    /// The event as an endpoint with <paramref name="apiVersion"/> (or the API, with the account's default) sees it.
    /// Only `api_version` follows the endpoint: the emulator has one (endive) shape for its objects, and every
    /// change from dahlia to endive in them is additive.
    /// </summary>
    public static JsonObject ToJson(EventRecord record, string apiVersion = ApiVersion)
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
            ["api_version"] = apiVersion,
            ["created"] = record.Created,
            ["data"] = data,
            ["livemode"] = false,
            ["pending_webhooks"] = record.PendingWebhooks,
            ["request"] = new JsonObject { ["id"] = record.Request.Id, ["idempotency_key"] = record.Request.IdempotencyKey },
            ["type"] = record.Type,
        };
    }
}
