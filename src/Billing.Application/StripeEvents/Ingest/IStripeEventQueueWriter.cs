namespace Billing.Application.StripeEvents.Ingest;

/// <summary>The <c>stripe-events</c> queue: a small reference to a stored event, picked up by the processor.</summary>
public interface IStripeEventQueueWriter
{
    /// <summary>
    /// Sends the message, invisible for <paramref name="initialInvisibility"/> (zero: visible at once); throws when the
    /// queue is unavailable (the caller must not acknowledge the event then). The receipt identifies the sent message
    /// for <see cref="DeleteAsync"/>.
    /// </summary>
    Task<StripeEventQueueReceipt> EnqueueAsync(StripeEventQueueMessage message, TimeSpan initialInvisibility, CancellationToken cancellationToken);

    /// <summary>
    /// Best effort: removes a message this writer sent (one that must not be processed). Never throws for a message
    /// that is gone or a queue that is unavailable; returns whether the message was deleted.
    /// </summary>
    Task<bool> DeleteAsync(StripeEventQueueReceipt receipt, CancellationToken cancellationToken);
}

/// <summary>Identifies a sent queue message so the sender can delete it: the queue's message id and pop receipt.</summary>
public sealed record StripeEventQueueReceipt(string MessageId, string PopReceipt);
