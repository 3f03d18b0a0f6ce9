using System.Text.Json.Serialization;

namespace Billing.FunctionApp.Webhooks;

/// <summary>The 200 answer: the event is safely kept (<see cref="Duplicate"/>: it had been delivered before).</summary>
public sealed record WebhookAcknowledgement(
    [property: JsonPropertyName("received")] bool Received,
    [property: JsonPropertyName("duplicate")] bool Duplicate);
