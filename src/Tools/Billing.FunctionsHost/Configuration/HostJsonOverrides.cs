using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Billing.FunctionsHost.Configuration;

/// <summary>
/// Applies app settings such as <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount=3</c> to host.json, as the
/// real host does: the path is matched case-insensitively, missing objects are created, and a value replaces a number
/// or boolean with that type when it parses as one (a string otherwise).
/// </summary>
internal static class HostJsonOverrides
{
    public static string Apply(string json, IReadOnlyDictionary<string, string> overrides)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: JsonFiles.Options);
        }
        catch (JsonException)
        {
            return json; // let the parser report it
        }

        if (root is not JsonObject document)
        {
            return json;
        }

        foreach (var (name, value) in overrides.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var path = name[HostJsonOptions.OverridePrefix.Length..].Split("__", StringSplitOptions.RemoveEmptyEntries);
            if (path.Length > 0)
            {
                Set(document, path, value);
            }
        }

        return document.ToJsonString();
    }

    private static void Set(JsonObject node, string[] path, string value)
    {
        for (var i = 0; i < path.Length - 1; i++)
        {
            var key = Existing(node, path[i]) ?? path[i];
            if (node[key] is not JsonObject child)
            {
                child = [];
                node[key] = child;
            }

            node = child;
        }

        var last = Existing(node, path[^1]) ?? path[^1];
        node[last] = node[last]?.GetValueKind() switch
        {
            JsonValueKind.Number when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            JsonValueKind.True or JsonValueKind.False when bool.TryParse(value, out var flag) => JsonValue.Create(flag),
            _ => JsonValue.Create(value),
        };
    }

    private static string? Existing(JsonObject node, string name) =>
        node.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
}
