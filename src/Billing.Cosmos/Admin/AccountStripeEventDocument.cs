using Billing.Application.StripeEvents;
using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Admin;

/// <summary>
/// A Stripe event as recorded against its account (<c>type</c> = accountStripeEvent), id
/// <c>account-event:{accountId}:{eventId}</c> in the account's partition, written when the event is applied or
/// ignored for the account; expires after <see cref="CosmosStripeEventHistory.Retention"/> (<c>ttl</c>).
/// </summary>
internal sealed record AccountStripeEventDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public required string EventId { get; init; }

    public required string EventType { get; init; }

    public required StripeEventStatus Status { get; init; }

    public required DateTimeOffset StripeCreatedAt { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public int Attempts { get; init; }

    public string? Note { get; init; }

    /// <summary>Seconds until Cosmos DB deletes the entry.</summary>
    public int Ttl { get; init; }
}
