using System.Globalization;
using System.Text.Json;

namespace Billing.FunctionApp.Hosting.CustomHandler;

/// <summary>
/// The JSON the Functions host POSTs to <c>/&lt;FunctionName&gt;</c> for a non-HTTP trigger:
/// <c>{"Data": {...}, "Metadata": {...}}</c>. The real host JSON-encodes string and number values a second
/// time (<c>"\"{\\\"a\\\":1}\""</c>, <c>"1"</c>); the documentation's samples show them once. Both are accepted.
/// </summary>
public sealed class HostInvocationRequest
{
    private readonly JsonElement _data;
    private readonly JsonElement _metadata;

    private HostInvocationRequest(JsonElement data, JsonElement metadata)
    {
        _data = data;
        _metadata = metadata;
    }

    public static HostInvocationRequest Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new HostPayloadException("The invocation payload must be a JSON object.");
        }

        var data = TryGet(root, "Data", out var d) ? d.Clone() : default;
        var metadata = TryGet(root, "Metadata", out var m) ? m.Clone() : default;
        return new HostInvocationRequest(data, metadata);
    }

    /// <summary>The trigger's value as text (a queue message), undoing the host's second encoding.</summary>
    public string GetDataText(string bindingName)
    {
        if (_data.ValueKind != JsonValueKind.Object || !TryGet(_data, bindingName, out var value))
        {
            throw new HostPayloadException($"The invocation payload has no Data.{bindingName}.");
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => Unwrap(value.GetString()!),
            JsonValueKind.Null or JsonValueKind.Undefined => throw new HostPayloadException($"Data.{bindingName} is null."),
            _ => value.GetRawText(),
        };
    }

    /// <summary>The trigger's value as JSON (a timer's object), undoing the host's second encoding.</summary>
    public JsonElement? GetDataObject(string bindingName)
    {
        if (_data.ValueKind != JsonValueKind.Object || !TryGet(_data, bindingName, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            using var inner = JsonDocument.Parse(Unwrap(value.GetString()!));
            return inner.RootElement.Clone();
        }

        return value;
    }

    public string? GetMetadataText(string key)
    {
        if (_metadata.ValueKind != JsonValueKind.Object || !TryGet(_metadata, key, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => Unwrap(value.GetString()!),
            JsonValueKind.Null => null,
            _ => value.GetRawText(),
        };
    }

    public long? GetMetadataInt64(string key) =>
        GetMetadataText(key) is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    public DateTimeOffset? GetMetadataTime(string key) =>
        GetMetadataText(key) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;

    /// <summary>"\"text\"" (a JSON string literal, the host's second encoding) becomes "text"; anything else is returned as is.</summary>
    internal static string Unwrap(string value)
    {
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            try
            {
                return JsonSerializer.Deserialize<string>(value) ?? value;
            }
            catch (JsonException)
            {
                return value;
            }
        }

        return value;
    }

    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }
}
