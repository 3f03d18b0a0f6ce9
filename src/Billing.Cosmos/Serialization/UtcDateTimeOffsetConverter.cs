using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Cosmos.Serialization;

/// <summary>
/// Writes instants as fixed-width ISO-8601 UTC (<c>2026-11-21T10:00:00.0000000Z</c>), the form Cosmos DB recommends:
/// strings sort in time order, so range filters and ORDER BY work. Reads any ISO-8601 form.
/// </summary>
internal sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
