using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Cosmos.Credits;

/// <summary>
/// The book's <c>pending</c> entries, written as an array (a grant taken back at once has two). A book written before
/// (schema 1) holds at most one, as an object: it reads as a list of one. Code of schema 1 fails to read an array, so it
/// can never take a book with entries pending for one without (its delivery fails and is retried); a book with nothing
/// pending has no <c>pending</c> field in either schema.
/// </summary>
internal sealed class PendingEntriesConverter : JsonConverter<List<CreditEntryBody>>
{
    public override List<CreditEntryBody>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.StartObject
            ? [JsonSerializer.Deserialize<CreditEntryBody>(ref reader, options)!]
            : JsonSerializer.Deserialize<List<CreditEntryBody>>(ref reader, options);

    public override void Write(Utf8JsonWriter writer, List<CreditEntryBody> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, options);
}
