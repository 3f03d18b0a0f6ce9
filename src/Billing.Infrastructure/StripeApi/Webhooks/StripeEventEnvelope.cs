using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;

namespace Billing.Infrastructure.StripeApi.Webhooks;

/// <summary>
/// The top-level fields of an event body (<c>id</c>, <c>type</c>, <c>created</c>, <c>livemode</c>,
/// <c>api_version</c>), read in one forward pass that checks the whole body is well-formed JSON but never builds
/// <c>data.object</c>: what a webhook receiver needs to store an event before processing it. Verify the signature first.
/// </summary>
public sealed record StripeEventEnvelope
{
    public required string Id { get; init; }

    public required string Type { get; init; }

    public required DateTimeOffset Created { get; init; }

    public bool Livemode { get; init; }

    public string? ApiVersion { get; init; }

    /// <summary>
    /// False when the body is not one well-formed JSON object (UTF-8) with a string <c>id</c> and <c>type</c>, a numeric
    /// <c>created</c> and an object <c>data</c>, or when its <c>object</c> is present and not <c>event</c>.
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
            return false; // a value of an unexpected token type
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
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            if (!reader.Read())
            {
                return false;
            }

            if (name.SequenceEqual("id"u8))
            {
                id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (name.SequenceEqual("type"u8))
            {
                type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (name.SequenceEqual("created"u8))
            {
                created = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seconds) ? seconds : null;
            }
            else if (name.SequenceEqual("livemode"u8))
            {
                livemode = reader.TokenType == JsonTokenType.True;
            }
            else if (name.SequenceEqual("api_version"u8))
            {
                apiVersion = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (name.SequenceEqual("object"u8))
            {
                if (reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("event"u8))
                {
                    return false;
                }
            }
            else if (name.SequenceEqual("data"u8))
            {
                hasData = reader.TokenType == JsonTokenType.StartObject;
            }

            reader.Skip(); // validates and passes over nested values (data.object and anything else)
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return false; // not a single object (trailing content throws above)
        }

        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(type) || created is not { } unix || !hasData
            || unix < DateTimeOffset.MinValue.ToUnixTimeSeconds() || unix > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        envelope = new StripeEventEnvelope { Id = id, Type = type, Created = DateTimeOffset.FromUnixTimeSeconds(unix), Livemode = livemode, ApiVersion = apiVersion };
        return true;
    }
}
