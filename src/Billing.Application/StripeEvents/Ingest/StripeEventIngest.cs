using Microsoft.Extensions.Logging;

namespace Billing.Application.StripeEvents.Ingest;

/// <summary>
/// Keeps a verified Stripe event before it is acknowledged: one atomic create keyed by the event id (a duplicate
/// delivery is detected by the store), then one small queue message. Store first, then queue: a failure of either
/// throws, so the webhook answers 5xx and Stripe delivers again; the repeated delivery finds the stored event and
/// queues it again unless it is already done. Never calls Stripe.
/// </summary>
public sealed partial class StripeEventIngest(IStripeEventStore events, IStripeEventQueueWriter queue, ILogger<StripeEventIngest> logger)
{
    public async Task<StripeEventIngestOutcome> IngestAsync(NewStripeEvent stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        var added = await events.TryAddAsync(stripeEvent, cancellationToken).ConfigureAwait(false);
        var duplicate = added.Outcome == StripeEventAddOutcome.Duplicate;
        if (duplicate && added.Record.Status.IsFinal())
        {
            LogDuplicateDone(stripeEvent.Id, stripeEvent.Type, added.Record.Status);
            return StripeEventIngestOutcome.DuplicateAlreadyProcessed;
        }

        await queue.EnqueueAsync(new StripeEventQueueMessage { EventId = stripeEvent.Id, Type = stripeEvent.Type }, cancellationToken).ConfigureAwait(false);
        if (duplicate)
        {
            LogDuplicateRequeued(stripeEvent.Id, stripeEvent.Type, added.Record.Status);
            return StripeEventIngestOutcome.DuplicateRequeued;
        }

        LogQueued(stripeEvent.Id, stripeEvent.Type);
        return StripeEventIngestOutcome.Queued;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) stored and queued")]
    private partial void LogQueued(string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) delivered again while {Status}; queued again")]
    private partial void LogDuplicateRequeued(string eventId, string eventType, StripeEventStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) delivered again; already {Status}, nothing to do")]
    private partial void LogDuplicateDone(string eventId, string eventType, StripeEventStatus status);
}
