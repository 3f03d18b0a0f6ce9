using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Stripe.Serialization;

/// <summary>Stripe timestamps are Unix seconds; reads and writes them as <see cref="DateTimeOffset"/> (UTC).</summary>
internal sealed class UnixDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var seconds))
        {
            throw new JsonException("Expected a Unix timestamp (integer seconds).");
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.ToUnixTimeSeconds());
}
