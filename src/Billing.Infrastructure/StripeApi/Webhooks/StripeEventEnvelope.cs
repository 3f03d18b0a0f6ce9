using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;
using Billing.Domain.Subscriptions;

namespace Billing.Infrastructure.StripeApi.Webhooks;

/// <summary>
/// The top-level fields of an event body (<c>id</c>, <c>type</c>, <c>created</c>, <c>livemode</c>,
/// <c>api_version</c>), read in one forward pass that checks the whole body is well-formed JSON but never builds
/// <c>data.object</c>: what a webhook receiver needs to store an event before processing it. Verify the signature first.
/// </summary>
public sealed record StripeEventEnvelope
{
    private const string EventIdPrefix = "evt_";

    public required string Id { get; init; }

    public required string Type { get; init; }

    public required DateTimeOffset Created { get; init; }

    public bool Livemode { get; init; }

    public string? ApiVersion { get; init; }

    /// <summary>
    /// False when the body is not one well-formed JSON object (UTF-8) with an <c>id</c> that is a Stripe id of the form
    /// <c>evt_</c> plus at least one more character, a string <c>type</c>, a numeric <c>created</c> and an object
    /// <c>data</c>, when its <c>object</c> is present and not <c>event</c>, when one of these top-level members (or
    /// <c>livemode</c>, <c>api_version</c>) appears twice, or when a string or member name anywhere holds an escaped lone
    /// surrogate.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> json, [NotNullWhen(true)] out StripeEventEnvelope? envelope)
    {
        envelope = null;
        if (!Utf8.IsValid(json))
        {
            return false; // the reader does not check the strings it skips
        }

        try
        {
            return TryRead(json, out envelope);
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false; // an escaped lone surrogate ("\uD800") in any string or member name: the reader checks only the hex digits
        }
    }

    private static bool TryRead(ReadOnlySpan<byte> json, out StripeEventEnvelope? envelope)
    {
        envelope = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? id = null, type = null, apiVersion = null;
        long? created = null;
        var livemode = false;
        var hasData = false;
        var seen = Fields.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = FieldOf(ref reader);
            if ((seen & field) != 0)
            {
                // JSON parsers disagree on which of two equal members wins: the event would be stored under one id
                // while Stripe.net reads (or refuses) another.
                return false;
            }

            seen |= field;
            reader.Read(); // the member's value: the body is whole, so a missing one throws (JsonException) rather than return false

            switch (field)
            {
                case Fields.Id:
                    id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case Fields.Type:
                    type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case Fields.Created:
                    created = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seconds) ? seconds : null;
                    break;
                case Fields.Livemode:
                    livemode = reader.TokenType == JsonTokenType.True;
                    break;
                case Fields.ApiVersion:
                    apiVersion = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case Fields.Object when reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("event"u8):
                    return false;
                case Fields.Data:
                    hasData = reader.TokenType == JsonTokenType.StartObject;
                    break;
            }

            SkipCheckingEscapes(ref reader); // passes over nested values (data.object and anything else)
        }

        // The loop ends on the root object's end: inside an object, anything but a member name or the end throws. Reading
        // on throws on any content after it (a second value, garbage) and returns false at the end of the body.
        reader.Read();

        if (!IsEventId(id) || string.IsNullOrEmpty(type) || created is not { } unix || !hasData
            || unix < DateTimeOffset.MinValue.ToUnixTimeSeconds() || unix > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        envelope = new StripeEventEnvelope { Id = id, Type = type, Created = DateTimeOffset.FromUnixTimeSeconds(unix), Livemode = livemode, ApiVersion = apiVersion };
        return true;
    }

    /// <summary>
    /// <see cref="Utf8JsonReader.Skip"/>, also unescaping each escaped string and member name: Skip leaves them escaped,
    /// so a lone surrogate (which Stripe never sends) inside <c>data</c> would be stored and queued, and every delivery of
    /// it would then fail when processing reads the object (Stripe.net's reader refuses it), until the poison queue.
    /// Only escaped strings are unescaped, which Stripe's bodies rarely have.
    /// </summary>
    private static void SkipCheckingEscapes(ref Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        while (true)
        {
            if (reader.ValueIsEscaped)
            {
                _ = reader.GetString(); // InvalidOperationException for a lone surrogate
            }

            if (reader.CurrentDepth == depth && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                return;
            }

            reader.Read(); // the body is whole: one that ends inside the value throws (JsonException)
        }
    }

    // The id becomes a Cosmos DB id and the queue message, so it must be a valid Stripe id, and one that names an event.
    private static bool IsEventId([NotNullWhen(true)] string? id) =>
        id is not null && id.Length > EventIdPrefix.Length && id.StartsWith(EventIdPrefix, StringComparison.Ordinal) && StripeIds.IsValid(id);

    // ValueTextEquals compares the unescaped name, so "i\u0064" is the id too, as it is for any other JSON reader.
    private static Fields FieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("id"u8) ? Fields.Id
        : reader.ValueTextEquals("object"u8) ? Fields.Object
        : reader.ValueTextEquals("type"u8) ? Fields.Type
        : reader.ValueTextEquals("created"u8) ? Fields.Created
        : reader.ValueTextEquals("livemode"u8) ? Fields.Livemode
        : reader.ValueTextEquals("api_version"u8) ? Fields.ApiVersion
        : reader.ValueTextEquals("data"u8) ? Fields.Data
        : Fields.None;

    [Flags]
    private enum Fields
    {
        None = 0,
        Id = 1,
        Object = 2,
        Type = 4,
        Created = 8,
        Livemode = 16,
        ApiVersion = 32,
        Data = 64,
    }
}
