namespace Billing.Infrastructure.Queues;

/// <summary>Messages moved back to the main queue, and requested event ids that were not in the poison queue.</summary>
public sealed record PoisonReplayResult(IReadOnlyList<ReplayedMessage> Replayed, IReadOnlyList<string> NotFound);

public sealed record ReplayedMessage(string MessageId, string? EventId);
