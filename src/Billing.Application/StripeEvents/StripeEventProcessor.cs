using Billing.Application.StripeEvents.Handling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.StripeEvents;

/// <summary>
/// Processes one stored Stripe event exactly once in effect: an event already Applied or Ignored is acknowledged
/// without effect; otherwise it is marked Processing, handed to the handler of its type (every handler is
/// idempotent, so an attempt that died half-way can simply run again) and marked Applied or Ignored. A failure is
/// recorded on the event (Failed, with the attempt count) and rethrown so the queue delivers the message again and,
/// after the last attempt, moves it to the poison queue. Types without a handler are recorded and ignored; a payload
/// its handler cannot read fails (see <see cref="HandleAsync"/>). An event
/// of the other Stripe mode than the configured key's (<see cref="StripeModeOptions"/>) is recorded as
/// IgnoredLivemodeMismatch and never processed nor retried (a live event under a test key, a real effect lost, is an
/// error for the operator; a test event under a live key a warning). The copy a final event leaves in its account's Stripe event
/// history is written with the final status; when it is not (the process stopped in between, or the write failed: the
/// delivery then fails, so the queue delivers it again), the redelivery that finds the event final writes it again. On
/// the message's last delivery (<see cref="QueueDeliveryOptions"/>) a copy that cannot be written is logged, not thrown:
/// the event's work is done, and a copy alone never sends it to the poison queue.
/// </summary>
public sealed partial class StripeEventProcessor(
    IStripeEventStore events,
    IStripeEventPayloadReader reader,
    IEnumerable<IStripeEventTypeHandler> handlers,
    IOptions<StripeModeOptions> mode,
    IOptions<QueueDeliveryOptions> queue,
    ILogger<StripeEventProcessor> logger) : IStripeEventProcessor
{
    private readonly IStripeEventTypeHandler[] _handlers = [.. handlers];

    public async Task ProcessAsync(StripeEventQueueMessage message, long deliveryAttempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var eventId = message.EventId;
        var isLast = queue.Value.IsLastDelivery(deliveryAttempt);
        var redelivery = new QueueDelivery(IsRetry: deliveryAttempt > 1, IsLast: isLast);
        var stored = await events.GetAsync(eventId, cancellationToken).ConfigureAwait(false) ?? throw StripeEventNotStoredException.For(eventId);
        if (stored.Status.IsFinal())
        {
            LogAlreadyDone(eventId, stored.Type, stored.Status, deliveryAttempt);

            // A duplicate message, a redelivery or a replay: the delivery that made the event final may have stopped or
            // failed before the account's history got its copy. One idempotent write, on every delivery that finds the
            // event final (webhooks.md, step 1).
            await KeepCopyAsync(() => events.CopyToAccountHistoryAsync(stored, cancellationToken), stored, redelivery).ConfigureAwait(false);
            return;
        }

        if (stored.Livemode != mode.Value.LiveMode)
        {
            var reason = $"The event is {ModeName(stored.Livemode)}-mode; the configured Stripe key is {ModeName(mode.Value.LiveMode)}-mode. Recorded, not processed.";
            await events.MarkLivemodeMismatchAsync(eventId, reason, cancellationToken).ConfigureAwait(false);
            if (stored.Livemode)
            {
                // A real payment, renewal or cancellation, dropped for good: the key (or the endpoint whose secret is
                // configured) is the wrong one, and nothing else fails to say so.
                LogLiveEventUnderTestKey(eventId, stored.Type);
            }
            else
            {
                LogLivemodeMismatch(eventId, stored.Type, ModeName(stored.Livemode), ModeName(mode.Value.LiveMode));
            }

            return;
        }

        var begun = await events.TryBeginProcessingAsync(eventId, cancellationToken).ConfigureAwait(false);
        switch (begun.Outcome)
        {
            case StripeEventTransitionOutcome.AlreadyFinal:
                LogAlreadyDone(eventId, stored.Type, begun.Record!.Status, deliveryAttempt);
                return;
            case StripeEventTransitionOutcome.NotFound:
                throw StripeEventNotStoredException.For(eventId);
        }

        // An attempt after one that began (failed, or stopped) may find writes of that attempt without their copies.
        var delivery = new QueueDelivery(IsRetry: begun.Record?.Attempts > 1, IsLast: isLast);
        StripeEventHandlingResult result;
        try
        {
            result = await HandleAsync(stored, delivery, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            await RecordFailureAsync(stored, exception, deliveryAttempt, isLast, cancellationToken).ConfigureAwait(false);
            throw;
        }

        if (result.IsApplied)
        {
            await KeepCopyAsync(() => events.MarkAppliedAsync(eventId, result.AccountId, cancellationToken), stored, delivery).ConfigureAwait(false);
            LogApplied(eventId, stored.Type, result.AccountId?.Value, deliveryAttempt, result.Note ?? "");
        }
        else
        {
            await KeepCopyAsync(() => events.MarkIgnoredAsync(eventId, result.AccountId, result.Note!, cancellationToken), stored, delivery).ConfigureAwait(false);
            LogIgnored(eventId, stored.Type, result.AccountId?.Value, result.Note!);
        }
    }

    private static string ModeName(bool live) => live ? "live" : "test";

    /// <summary>
    /// Runs a write whose copy in the account's history may fail after the event's own write is stored: the failure
    /// fails the delivery (the redelivery finds the event final and writes the copy again), except on the last one.
    /// </summary>
    private async Task KeepCopyAsync(Func<Task> write, StripeEventRecord stored, QueueDelivery delivery)
    {
        try
        {
            await delivery.KeepCopyAsync(write, e => LogCopyGivenUp(e, stored.Id, stored.Type)).ConfigureAwait(false);
        }
        catch (OperatorCopyNotWrittenException exception)
        {
            LogCopyRetried(exception, stored.Id, stored.Type);
            throw;
        }
    }

    /// <summary>
    /// Runs the handler of the stored type. A type without one is ignored unread. A payload its handler needs but
    /// that does not read (signed by Stripe, so never garbage: an API version or shape this build cannot parse) fails
    /// like any other failure, so it is retried, kept in the poison queue and replayed once a build reads it, instead
    /// of being ignored for good with its effect (a purchase, a refund, a cancellation) lost. The failure carries the
    /// reader's message only: its inner exception may quote the payload.
    /// </summary>
    private async Task<StripeEventHandlingResult> HandleAsync(StripeEventRecord stored, QueueDelivery delivery, CancellationToken cancellationToken)
    {
        var handler = Array.Find(_handlers, h => h.EventTypes.Contains(stored.Type));
        if (handler is null)
        {
            return StripeEventHandlingResult.Ignored(null, $"Event type '{stored.Type}' is recorded; it needs no action.");
        }

        StripeEventPayload payload;
        try
        {
            payload = reader.Read(stored.Payload);
        }
        catch (MalformedStripeEventException exception)
        {
            throw new MalformedStripeEventException($"The stored payload of this {stored.Type} event does not read: {exception.Message}");
        }

        return await handler.HandleAsync(payload with { Delivery = delivery }, cancellationToken).ConfigureAwait(false);
    }

    private async Task RecordFailureAsync(StripeEventRecord stored, Exception failure, long deliveryAttempt, bool isLast, CancellationToken cancellationToken)
    {
        if (isLast)
        {
            LogFailedLast(failure, stored.Id, stored.Type, deliveryAttempt);
        }
        else
        {
            LogFailed(failure, stored.Id, stored.Type, deliveryAttempt);
        }

        try
        {
            await events.MarkFailedAsync(stored.Id, $"Attempt {deliveryAttempt}: {failure.GetType().Name}: {failure.Message}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception markFailure) when (!cancellationToken.IsCancellationRequested)
        {
            // The delivery is retried anyway; the status stays Processing until then.
            LogMarkFailedFailed(markFailure, stored.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({EventType}) is {EventMode}-mode but the configured key is {KeyMode}-mode; recorded and ignored")]
    private partial void LogLivemodeMismatch(string eventId, string eventType, string eventMode, string keyMode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe event {EventId} ({EventType}) is live-mode but the configured key is test-mode; recorded and ignored, never applied: its effect is lost until an operator sets the live key (or replaces the live endpoint's signing secret with the test endpoint's) and applies it by hand (a re-sync, a credit adjustment)")]
    private partial void LogLiveEventUnderTestKey(string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) is already {Status}; delivery {DeliveryAttempt} acknowledged without effect")]
    private partial void LogAlreadyDone(string eventId, string eventType, StripeEventStatus status, long deliveryAttempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) applied to account {AccountId} on delivery {DeliveryAttempt}. {Note}")]
    private partial void LogApplied(string eventId, string eventType, string? accountId, long deliveryAttempt, string? note);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) ignored (account {AccountId}): {Reason}")]
    private partial void LogIgnored(string eventId, string eventType, string? accountId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({EventType}) failed on delivery {DeliveryAttempt}; it will be retried")]
    private partial void LogFailed(Exception exception, string eventId, string eventType, long deliveryAttempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({EventType}) failed on its last delivery ({DeliveryAttempt}); the message goes to the poison queue: replay it once the cause is fixed")]
    private partial void LogFailedLast(Exception exception, string eventId, string eventType, long deliveryAttempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({EventType}) is final, but its copy in the account's event history was not written; the delivery fails so that the next one writes it")]
    private partial void LogCopyRetried(Exception exception, string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe event {EventId} ({EventType}) is final, but its copy in the account's event history was not written on the message's last delivery; acknowledged (the event's work is done), the operator's account view misses it")]
    private partial void LogCopyGivenUp(Exception exception, string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the failure of Stripe event {EventId}")]
    private partial void LogMarkFailedFailed(Exception exception, string eventId);
}
