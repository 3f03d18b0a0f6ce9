using Billing.Domain.Accounts;

namespace Billing.Application.StripeEvents;

/// <summary>A stored Stripe event with its processing state.</summary>
public sealed record StripeEventRecord
{
    public required string Id { get; init; }

    public required string Type { get; init; }

    public required DateTimeOffset Created { get; init; }

    public bool Livemode { get; init; }

    public string? ApiVersion { get; init; }

    public required string Payload { get; init; }

    public required StripeEventStatus Status { get; init; }

    /// <summary>How many times processing began.</summary>
    public int Attempts { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When it became Applied or Ignored.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The account the event was mapped to, once known.</summary>
    public AccountId? AccountId { get; init; }

    /// <summary>Why it was ignored, or the last failure (short, no secrets).</summary>
    public string? Note { get; init; }
}
