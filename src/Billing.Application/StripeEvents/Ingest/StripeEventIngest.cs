using Microsoft.Extensions.Logging;

namespace Billing.Application.StripeEvents.Ingest;

/// <summary>
/// Keeps a verified Stripe event before it is acknowledged: one atomic create keyed by the event id (a duplicate
/// delivery is detected by the store) and one small queue message, sent CONCURRENTLY; the event is acknowledged only
/// when both succeeded. The message is sent invisible for <see cref="MessageInvisibility"/> so that it normally reaches
/// the processor after the create committed; if it arrives earlier the processor finds no event, throws, and the queue
/// delivers it again. When the create fails after the send succeeded, the message is deleted (best effort) and the
/// failure rethrown: the webhook answers 5xx and Stripe delivers again. When the send fails the event stays stored and
/// the repeated delivery queues it again. A repeated delivery of an event already done deletes its redundant message
/// (best effort; the processor would acknowledge it without effect anyway). Never calls Stripe.
/// </summary>
public sealed partial class StripeEventIngest(IStripeEventStore events, IStripeEventQueueWriter queue, ILogger<StripeEventIngest> logger)
{
    /// <summary>
    /// How long a newly sent message stays invisible: longer than the create normally takes, so the processor rarely
    /// sees a message before its event; short, so processing is not noticeably delayed.
    /// </summary>
    public static readonly TimeSpan MessageInvisibility = TimeSpan.FromSeconds(2);

    public async Task<StripeEventIngestOutcome> IngestAsync(NewStripeEvent stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        var message = new StripeEventQueueMessage { EventId = stripeEvent.Id, Type = stripeEvent.Type };
        var add = events.TryAddAsync(stripeEvent, cancellationToken);
        var send = queue.EnqueueAsync(message, MessageInvisibility, cancellationToken);
        try
        {
            await Task.WhenAll(add, send).ConfigureAwait(false);
        }
        catch
        {
            if (!add.IsCompletedSuccessfully && send.IsCompletedSuccessfully)
            {
                // Not kept, so not acknowledged; the message must not outlive the failed create.
                var deleted = await queue.DeleteAsync(send.Result, CancellationToken.None).ConfigureAwait(false);
                LogOrphanDeleted(stripeEvent.Id, stripeEvent.Type, deleted);
            }

            throw;
        }

        var added = add.Result;
        if (added.Outcome == StripeEventAddOutcome.Added)
        {
            LogQueued(stripeEvent.Id, stripeEvent.Type);
            return StripeEventIngestOutcome.Queued;
        }

        if (added.Record.Status.IsFinal())
        {
            await queue.DeleteAsync(send.Result, CancellationToken.None).ConfigureAwait(false);
            LogDuplicateDone(stripeEvent.Id, stripeEvent.Type, added.Record.Status);
            return StripeEventIngestOutcome.DuplicateAlreadyProcessed;
        }

        LogDuplicateRequeued(stripeEvent.Id, stripeEvent.Type, added.Record.Status);
        return StripeEventIngestOutcome.DuplicateRequeued;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) stored and queued")]
    private partial void LogQueued(string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) delivered again while {Status}; queued again")]
    private partial void LogDuplicateRequeued(string eventId, string eventType, StripeEventStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) delivered again; already {Status}, nothing to do")]
    private partial void LogDuplicateDone(string eventId, string eventType, StripeEventStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({EventType}) could not be stored after its message was sent; message deleted: {Deleted} (if not, the processor retries it and finally poisons it)")]
    private partial void LogOrphanDeleted(string eventId, string eventType, bool deleted);
}

/// <summary>What the ingest did with a verified event. Every outcome means the event is safely kept.</summary>
public enum StripeEventIngestOutcome
{
    /// <summary>First delivery: stored and queued.</summary>
    Queued = 0,

    /// <summary>A repeated delivery of an event not yet done (maybe its first queue send failed): queued again.</summary>
    DuplicateRequeued = 1,

    /// <summary>A repeated delivery of an event already applied or ignored: nothing to do.</summary>
    DuplicateAlreadyProcessed = 2,
}
