using System.Globalization;
using System.Text.Json;

namespace Billing.StripeEmulator.Wire;

/// <summary>
/// Turns Stripe's deepObject form encoding (`a[b][0][c]=v`, `expand[]=x`) and, for the test controls, JSON bodies
/// into a <see cref="FormNode"/> tree.
/// </summary>
internal static class FormParser
{
    public static void Add(FormNode root, string key, string value)
    {
        var segments = SplitKey(key);
        var node = root;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var last = i == segments.Count - 1;
            if (node.IsLeaf)
            {
                throw StripeApiException.InvalidRequest($"Invalid hash: {key} mixes a value and nested parameters.", key, "parameter_invalid_string");
            }

            if (last)
            {
                if (segment.Length == 0)
                {
                    node.Append(FormNode.Leaf(value));
                }
                else
                {
                    // A later `metadata=` replaces an earlier hash: an empty leaf means "clear it", as on Stripe.
                    node.Set(segment, FormNode.Leaf(value));
                }

                return;
            }

            FormNode next;
            if (segment.Length == 0)
            {
                next = FormNode.Map();
                node.Append(next);
            }
            else
            {
                var existing = node.Get(segment);
                if (existing is null || (existing.IsLeaf && string.IsNullOrEmpty(existing.Value)))
                {
                    next = FormNode.Map();
                    node.Set(segment, next);
                }
                else
                {
                    next = existing;
                }
            }

            node = next;
        }
    }

    public static void AddJson(FormNode root, JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw StripeApiException.InvalidRequest("A JSON request body must be an object.", null);
        }

        foreach (var property in json.EnumerateObject())
        {
            root.Set(property.Name, FromJson(property.Value));
        }
    }

    private static FormNode FromJson(JsonElement json)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Object:
                var map = FormNode.Map();
                foreach (var property in json.EnumerateObject())
                {
                    map.Set(property.Name, FromJson(property.Value));
                }

                return map;
            case JsonValueKind.Array:
                var list = FormNode.Map();
                foreach (var item in json.EnumerateArray())
                {
                    list.Append(FromJson(item));
                }

                return list;
            case JsonValueKind.String:
                return FormNode.Leaf(json.GetString() ?? string.Empty);
            case JsonValueKind.True:
                return FormNode.Leaf("true");
            case JsonValueKind.False:
                return FormNode.Leaf("false");
            case JsonValueKind.Null:
                return FormNode.Leaf(string.Empty);
            default:
                return FormNode.Leaf(json.GetRawText().ToString(CultureInfo.InvariantCulture));
        }
    }

    private static List<string> SplitKey(string key)
    {
        var open = key.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            return [key];
        }

        var segments = new List<string> { key[..open] };
        var position = open;
        while (position < key.Length)
        {
            if (key[position] != '[')
            {
                throw StripeApiException.InvalidRequest($"Invalid parameter name: {key}", key, "parameter_invalid_string");
            }

            var close = key.IndexOf(']', position);
            if (close < 0)
            {
                throw StripeApiException.InvalidRequest($"Invalid parameter name: {key}", key, "parameter_invalid_string");
            }

            segments.Add(key[(position + 1)..close]);
            position = close + 1;
        }

        if (segments[0].Length == 0)
        {
            throw StripeApiException.InvalidRequest($"Invalid parameter name: {key}", key, "parameter_invalid_string");
        }

        return segments;
    }
}
