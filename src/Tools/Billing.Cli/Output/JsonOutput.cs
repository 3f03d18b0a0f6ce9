using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Billing.Cli.Output;

/// <summary>
/// The one JSON writer of the CLI: indented, with <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> so that
/// <c>+</c>, <c>'</c>, <c>&lt;</c>, <c>&amp;</c> and non-ASCII text print as themselves instead of <c>\u002B</c>-style
/// escapes. The output is for a terminal or a JSON parser, never embedded in HTML, so the relaxed encoder is safe.
/// </summary>
public static class JsonOutput
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Re-writes a JSON text indented and readable (every value, member order and number kept as sent); null when it is not JSON.</summary>
    public static string? TryFormat(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var document = JsonDocument.Parse(text);
            return Write(document.RootElement.WriteTo, Indented);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A JSON node as one compact line (request bodies, values inside messages).</summary>
    public static string ToCompactString(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Write(writer => node.WriteTo(writer), Compact);
    }

    private static string Write(Action<Utf8JsonWriter> writeTo, JsonWriterOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            writeTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
