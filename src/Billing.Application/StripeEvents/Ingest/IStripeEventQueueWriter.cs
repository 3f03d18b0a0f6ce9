namespace Billing.Application.StripeEvents.Ingest;

/// <summary>The <c>stripe-events</c> queue: a small reference to a stored event, picked up by the processor.</summary>
public interface IStripeEventQueueWriter
{
    /// <summary>Sends the message; throws when the queue is unavailable (the caller must not acknowledge the event then).</summary>
    Task EnqueueAsync(StripeEventQueueMessage message, CancellationToken cancellationToken);
}
