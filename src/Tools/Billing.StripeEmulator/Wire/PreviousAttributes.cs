using System.Text.Json.Nodes;

namespace Billing.StripeEmulator.Wire;

/// <summary>
/// `data.previous_attributes` of an `*.updated` event: the old values of what changed. Hashes are compared key by
/// key (only changed keys appear, a new key appears as null); lists and plain values appear whole.
/// </summary>
internal static class PreviousAttributes
{
    public static JsonObject? Diff(JsonObject before, JsonObject after)
    {
        var result = new JsonObject();
        foreach (var key in before.Select(p => p.Key).Union(after.Select(p => p.Key), StringComparer.Ordinal))
        {
            before.TryGetPropertyValue(key, out var old);
            after.TryGetPropertyValue(key, out var current);
            if (JsonNode.DeepEquals(old, current))
            {
                continue;
            }

            if (old is JsonObject oldObject && current is JsonObject currentObject)
            {
                result[key] = Diff(oldObject, currentObject) ?? new JsonObject();
            }
            else
            {
                result[key] = old?.DeepClone();
            }
        }

        return result.Count == 0 ? null : result;
    }
}
