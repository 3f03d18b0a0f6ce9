using System.Text.Json.Serialization;

namespace Billing.Application.Operations;

/// <summary>Messages moved back to the main queue, and requested ids (event ids, run ids) that were not in the poison queue.</summary>
public sealed record PoisonReplayResult(IReadOnlyList<ReplayedMessage> Replayed, IReadOnlyList<string> NotFound);

/// <summary>A message moved back: a Stripe event reference (<see cref="EventId"/>) or an invoice job (<see cref="RunId"/>, absent for Stripe events).</summary>
public sealed record ReplayedMessage(string MessageId, string? EventId)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RunId { get; init; }
}
