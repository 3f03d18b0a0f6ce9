using System.Text.Json.Nodes;

namespace Billing.Stripe.Tests.Contract;

/// <summary>The 2026 deltas this client relies on, from ../shared/stripe/api-2026-07-29-deltas.md. Every entry is
/// a change read from the 2026-07-29 spec; nothing else is relaxed, so any other mismatch fails the contract tests.</summary>
internal static class SpecDeltas
{
    public static readonly IReadOnlyList<SpecDelta> All =
    [
        // POST /v1/invoiceitems (dahlia): no top-level `price` / `unit_amount` / `unit_amount_decimal` any more;
        // an existing price goes in `pricing[price]`. (`amount`+`currency`, `price_data`, `period`, ... are unchanged.)
        new("post", "/v1/invoiceitems", "pricing[price] added; price, unit_amount, unit_amount_decimal removed", operation =>
        {
            var properties = FormProperties(operation);
            properties.Remove("price");
            properties.Remove("unit_amount");
            properties.Remove("unit_amount_decimal");
            properties["pricing"] = Json("""{"type":"object","properties":{"price":{"type":"string","maxLength":5000}}}""");
        }),

        // POST /v1/checkout/sessions: `ui_mode` is hosted_page (default) | embedded_page | elements (absent in 2023).
        new("post", "/v1/checkout/sessions", "ui_mode added with values hosted_page, embedded_page, elements", operation =>
            FormProperties(operation)["ui_mode"] = Json("""{"type":"string","enum":["hosted_page","embedded_page","elements"]}""")),

        // POST /v1/checkout/sessions: success_url/cancel_url are not allowed in the embedded modes, so `success_url` is
        // no longer required; those modes take `return_url` instead (it came with ui_mode).
        new("post", "/v1/checkout/sessions", "success_url no longer required; return_url added", operation =>
        {
            var schema = FormSchema(operation);
            schema["required"] = new JsonArray(schema["required"]!.AsArray().Select(r => r!.GetValue<string>()).Where(r => r != "success_url").Select(r => (JsonNode)r).ToArray());
            FormProperties(operation)["return_url"] = Json("""{"type":"string","maxLength":5000}""");
        }),

        // POST /v1/checkout/sessions: subscription_data[billing_mode]{type*: classic|flexible} is new.
        new("post", "/v1/checkout/sessions", "subscription_data[billing_mode][type] added", operation =>
            FormProperties(operation)["subscription_data"]!["properties"]!["billing_mode"] =
                Json("""{"type":"object","properties":{"type":{"type":"string","enum":["classic","flexible"]}},"required":["type"]}""")),

        // POST /v1/billing_portal/sessions: `customer` is no longer required (either customer or the new customer_account).
        new("post", "/v1/billing_portal/sessions", "customer no longer required; customer_account added", operation =>
        {
            FormSchema(operation).Remove("required");
            FormProperties(operation)["customer_account"] = Json("""{"type":"string","maxLength":5000}""");
        }),

        // POST /v1/billing/meter_events: the Billing Meters API is absent from the 2023 spec. Required event_name (max 100)
        // and payload (object of strings); optional identifier (max 100) and timestamp (unix seconds).
        new("post", "/v1/billing/meter_events", "operation added (Billing Meters)", AddedOperation: MeterEventsOperation),
    ];

    private const string MeterEventsOperation = """
        {
          "requestBody": { "content": { "application/x-www-form-urlencoded": { "schema": {
            "type": "object", "additionalProperties": false,
            "required": ["event_name", "payload"],
            "properties": {
              "event_name": { "type": "string", "maxLength": 100 },
              "identifier": { "type": "string", "maxLength": 100 },
              "payload": { "type": "object", "additionalProperties": { "type": "string" } },
              "timestamp": { "type": "integer", "format": "unix-time" },
              "expand": { "type": "array", "items": { "type": "string", "maxLength": 5000 } }
            } } } } }
        }
        """;

    public static JsonObject FormSchema(JsonObject operation) =>
        operation["requestBody"]!["content"]!["application/x-www-form-urlencoded"]!["schema"]!.AsObject();

    private static JsonObject FormProperties(JsonObject operation) => FormSchema(operation)["properties"]!.AsObject();

    private static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();
}
