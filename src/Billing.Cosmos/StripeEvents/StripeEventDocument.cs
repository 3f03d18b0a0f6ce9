using Billing.Application.StripeEvents;
using Billing.Cosmos.Documents;

namespace Billing.Cosmos.StripeEvents;

/// <summary>A received Stripe event (<c>type</c> = stripeEvent), id = partition key = Stripe event id.</summary>
internal sealed record StripeEventDocument : StoredDocument
{
    /// <summary>Stripe's event type, e.g. <c>customer.subscription.updated</c> (<c>type</c> is taken by the document kind).</summary>
    public required string EventType { get; init; }

    /// <summary>The event's <c>created</c>.</summary>
    public required DateTimeOffset StripeCreatedAt { get; init; }

    public bool Livemode { get; init; }

    public string? ApiVersion { get; init; }

    public required StripeEventStatus Status { get; init; }

    public int Attempts { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string? AccountId { get; init; }

    public string? Note { get; init; }

    /// <summary>The raw event JSON exactly as received, as a string (not indexed).</summary>
    public required string Payload { get; init; }

    /// <summary>
    /// Seconds until Cosmos DB deletes the event: -1 (never) until it is final, so one waiting in poison for a replay is
    /// kept however long that takes; set to the history's retention by the final transition.
    /// </summary>
    public int? Ttl { get; init; }
}
