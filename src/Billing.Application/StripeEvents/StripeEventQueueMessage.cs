using System.Text.Json;
using System.Text.Json.Serialization;

namespace Billing.Application.StripeEvents;

/// <summary>
/// The small message the webhook ingest puts on the <c>stripe-events</c> queue once the raw event is stored:
/// just enough to find it (queue messages are limited to 64 KiB; events can be larger).
/// </summary>
public sealed record StripeEventQueueMessage
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [JsonPropertyName("eventId")]
    public required string EventId { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses and validates a queue message; throws <see cref="InvalidQueueMessageException"/> for anything else.</summary>
    public static StripeEventQueueMessage Parse(string text)
    {
        StripeEventQueueMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<StripeEventQueueMessage>(text, Json);
        }
        catch (JsonException exception)
        {
            throw new InvalidQueueMessageException("The message is not a JSON Stripe event reference.", exception);
        }

        if (message is null || string.IsNullOrWhiteSpace(message.EventId) || !message.EventId.StartsWith("evt_", StringComparison.Ordinal) || message.EventId.Length > 255)
        {
            throw new InvalidQueueMessageException("The message has no valid eventId (evt_...).");
        }

        return message;
    }
}
