namespace Billing.Infrastructure.Queues;

/// <summary>A message in the Stripe events poison queue with what the event store knows of its event.</summary>
public sealed record PoisonMessageView
{
    public required string MessageId { get; init; }

    public required DateTimeOffset InsertedOn { get; init; }

    public string? EventId { get; init; }

    public string? EventType { get; init; }

    /// <summary>The stored event's status (received, processing, applied, ignored, failed); null when not stored.</summary>
    public string? Status { get; init; }

    public int? Attempts { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    public string? AccountId { get; init; }

    /// <summary>The stored event's note: its last failure, or why it was ignored.</summary>
    public string? Note { get; init; }

    /// <summary>Why the message cannot be processed at all (not an event reference, event not stored); null otherwise.</summary>
    public string? Problem { get; init; }
}
