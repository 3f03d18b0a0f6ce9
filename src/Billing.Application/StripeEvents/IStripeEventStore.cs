using Billing.Domain.Accounts;

namespace Billing.Application.StripeEvents;

/// <summary>
/// Durable store of received Stripe events keyed by event id: duplicate deliveries are detected atomically on add,
/// and the processing status moves Received -> Processing -> Applied | Ignored | Failed (-> Processing again).
/// Applied, Ignored and IgnoredLivemodeMismatch are final: no later transition overwrites them.
/// </summary>
public interface IStripeEventStore
{
    /// <summary>
    /// The largest raw payload (UTF-8 bytes) a store keeps whatever its characters: stored JSON may write one byte as a
    /// six-character escape (<c>\u0022</c>), and a Cosmos DB item holds 2 MB, so 320 KiB x 6 leaves room for the rest.
    /// </summary>
    public const int MaxPayloadBytes = 320 * 1024;

    Task<StripeEventAddResult> TryAddAsync(NewStripeEvent stripeEvent, CancellationToken cancellationToken);

    Task<StripeEventRecord?> GetAsync(string eventId, CancellationToken cancellationToken);

    /// <summary>Marks the event Processing and counts the attempt, unless it is final.</summary>
    Task<StripeEventTransitionResult> TryBeginProcessingAsync(string eventId, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the event Applied (final), unless it is final already; when this changed it and it has an account, the
    /// account's Stripe event history gets a copy.
    /// </summary>
    /// <exception cref="OperatorCopyNotWrittenException">The event is Applied, but its copy in the account's history was not written.</exception>
    Task<StripeEventTransitionResult> MarkAppliedAsync(string eventId, AccountId? accountId, CancellationToken cancellationToken);

    /// <summary>Marks the event Ignored (final), as <see cref="MarkAppliedAsync"/> marks it Applied, the history's copy included.</summary>
    /// <exception cref="OperatorCopyNotWrittenException">The event is Ignored, but its copy in the account's history was not written.</exception>
    Task<StripeEventTransitionResult> MarkIgnoredAsync(string eventId, AccountId? accountId, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the copy of a final event in its account's history again (the same content, overwritten: idempotent);
    /// nothing for an event without an account. A redelivery of an event already final does it, in case the delivery
    /// that made it final stopped or failed before its copy was written.
    /// </summary>
    /// <exception cref="OperatorCopyNotWrittenException">The copy was not written.</exception>
    Task CopyToAccountHistoryAsync(StripeEventRecord finalEvent, CancellationToken cancellationToken);

    /// <summary>Marks the event <see cref="StripeEventStatus.IgnoredLivemodeMismatch"/> (final), unless it is final already.</summary>
    Task<StripeEventTransitionResult> MarkLivemodeMismatchAsync(string eventId, string reason, CancellationToken cancellationToken);

    /// <summary>Records a failed attempt (<paramref name="failure"/> is truncated; pass no secrets).</summary>
    Task<StripeEventTransitionResult> MarkFailedAsync(string eventId, string failure, CancellationToken cancellationToken);
}
