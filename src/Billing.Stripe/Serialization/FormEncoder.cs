using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Billing.Stripe.Serialization;

/// <summary>Encodes a request record the way Stripe reads parameters: nested objects as <c>a[b]=</c>, list items
/// always indexed (<c>items[0][price]=</c>), dictionaries by key (<c>metadata[plan]=</c>), booleans as true/false,
/// timestamps as Unix seconds, numbers in invariant form; null properties are omitted and an explicit empty string
/// is sent as <c>key=</c> (which clears the field). Names come from the JSON metadata (snake_case).</summary>
internal static class FormEncoder
{
    /// <summary>The flattened <c>key=value</c> pairs, unescaped, in declaration order.</summary>
    public static List<KeyValuePair<string, string>> Flatten<T>(T request, JsonTypeInfo<T> typeInfo)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        var element = JsonSerializer.SerializeToElement(request, typeInfo);
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Append(pairs, property.Name, property.Value);
            }
        }

        return pairs;
    }

    /// <summary>The <c>application/x-www-form-urlencoded</c> string (also used as a query string); empty when nothing is set.</summary>
    public static string Encode<T>(T request, JsonTypeInfo<T> typeInfo) => Join(Flatten(request, typeInfo));

    public static string Join(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var builder = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            // Brackets stay readable in keys, as Stripe's own libraries send them; everything else is escaped.
            builder.Append(Uri.EscapeDataString(key).Replace("%5B", "[", StringComparison.Ordinal).Replace("%5D", "]", StringComparison.Ordinal))
                .Append('=')
                .Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }

    private static void Append(List<KeyValuePair<string, string>> pairs, string key, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    Append(pairs, $"{key}[{property.Name}]", property.Value);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Append(pairs, $"{key}[{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}]", item);
                    index++;
                }

                break;
            case JsonValueKind.String:
                pairs.Add(new(key, value.GetString()!));
                break;
            case JsonValueKind.Number:
                pairs.Add(new(key, value.GetRawText()));
                break;
            case JsonValueKind.True:
                pairs.Add(new(key, "true"));
                break;
            case JsonValueKind.False:
                pairs.Add(new(key, "false"));
                break;
            default:
                // Null and undefined: the parameter is not sent.
                break;
        }
    }
}
