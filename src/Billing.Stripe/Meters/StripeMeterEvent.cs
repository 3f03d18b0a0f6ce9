using System.Text.Json.Serialization;

namespace Billing.Stripe.Meters;

/// <summary>A recorded usage event (<c>object: "billing.meter_event"</c>). It has no id: <see cref="Identifier"/> is the de-duplication key.</summary>
public sealed record StripeMeterEvent
{
    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public string? EventName { get; init; }

    public string? Identifier { get; init; }

    public IReadOnlyDictionary<string, string>? Payload { get; init; }

    public DateTimeOffset? Timestamp { get; init; }

    public DateTimeOffset? Created { get; init; }

    public bool Livemode { get; init; }
}
