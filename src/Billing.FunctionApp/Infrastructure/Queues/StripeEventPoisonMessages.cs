using Billing.Application.StripeEvents;
using Billing.QueueStorage;

namespace Billing.FunctionApp.Infrastructure.Queues;

/// <summary>
/// Operations on <c>&lt;stripe-events queue&gt;-poison</c>, where messages land after <c>maxDequeueCount</c> failed
/// attempts: list them with their events' status, and replay them (move them back to the main queue, where the
/// processor runs them again; events already done are acknowledged without effect).
/// </summary>
public sealed partial class StripeEventPoisonMessages(
    QueueServiceClient queues,
    IConfiguration configuration,
    IStripeEventStore events,
    ILogger<StripeEventPoisonMessages> logger)
{
    /// <summary>A peek returns at most this many messages.</summary>
    public const int MaxPeek = 32;

    /// <summary>Upper bound of messages one replay call looks at, so a call always ends.</summary>
    public const int MaxReplayScan = 5000;

    private static readonly TimeSpan ReplayLease = TimeSpan.FromMinutes(2);

    private readonly QueueClient _main = queues.GetQueueClient(configuration["STRIPE_EVENTS_QUEUE"] ?? "stripe-events");
    private readonly QueueClient _poison = queues.GetQueueClient((configuration["STRIPE_EVENTS_QUEUE"] ?? "stripe-events") + "-poison");

    public string PoisonQueueName => _poison.Name;

    public async Task<PoisonListing> ListAsync(int max, CancellationToken cancellationToken)
    {
        await _poison.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        var peeked = await _poison.PeekAsync(Math.Clamp(max, 1, MaxPeek), cancellationToken).ConfigureAwait(false);
        var count = await _poison.GetApproximateMessageCountAsync(cancellationToken).ConfigureAwait(false);
        var views = new List<PoisonMessageView>(peeked.Count);
        foreach (var message in peeked)
        {
            views.Add(await DescribeAsync(message, cancellationToken).ConfigureAwait(false));
        }

        return new PoisonListing(_poison.Name, count, views);
    }

    /// <summary>Moves the messages of the given events (all messages when <paramref name="eventIds"/> is empty) back to the main queue.</summary>
    public async Task<PoisonReplayResult> ReplayAsync(IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        var selection = eventIds.Count == 0 ? null : eventIds.ToHashSet(StringComparer.Ordinal);
        await _poison.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        await _main.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

        var replayed = new List<ReplayedMessage>();
        var passedOver = new List<ReceivedMessage>();
        try
        {
            var scanned = 0;
            while (scanned < MaxReplayScan)
            {
                var batch = await _poison.ReceiveAsync(MaxPeek, ReplayLease, cancellationToken).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    break;
                }

                scanned += batch.Count;
                foreach (var message in batch)
                {
                    var eventId = EventIdOf(message.MessageText);
                    if (selection is not null && (eventId is null || !selection.Contains(eventId)))
                    {
                        passedOver.Add(message);
                        continue;
                    }

                    // Send first, then delete: a failure in between leaves the message in both queues, which is harmless.
                    await _main.SendAsync(message.MessageText, cancellationToken: cancellationToken).ConfigureAwait(false);
                    await _poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                    replayed.Add(new ReplayedMessage(message.MessageId, eventId));
                    LogReplayed(message.MessageId, eventId);
                }
            }
        }
        finally
        {
            foreach (var message in passedOver)
            {
                await RestoreVisibilityAsync(message).ConfigureAwait(false);
            }
        }

        var notFound = selection is null ? [] : selection.Except(replayed.Select(r => r.EventId).OfType<string>()).Order(StringComparer.Ordinal).ToList();
        return new PoisonReplayResult(replayed, notFound);
    }

    private async Task<PoisonMessageView> DescribeAsync(PeekedMessage message, CancellationToken cancellationToken)
    {
        var view = new PoisonMessageView { MessageId = message.MessageId, InsertedOn = message.InsertedOn };
        if (EventIdOf(message.MessageText) is not { } eventId)
        {
            return view with { Problem = "Not a Stripe event reference (expected {\"eventId\":\"evt_...\"})." };
        }

        var record = await events.GetAsync(eventId, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return view with { EventId = eventId, Problem = "The event is not in the event store." };
        }

        return view with
        {
            EventId = eventId,
            EventType = record.Type,
            Status = record.Status.ToString().ToLowerInvariant(),
            Attempts = record.Attempts,
            LastAttemptAt = record.LastAttemptAt,
            AccountId = record.AccountId?.Value,
            Note = record.Note,
        };
    }

    private async Task RestoreVisibilityAsync(ReceivedMessage message)
    {
        try
        {
            await _poison.UpdateVisibilityAsync(message.MessageId, message.PopReceipt, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is QueueStorageException or HttpRequestException or TimeoutException)
        {
            // It becomes visible again when its lease ends.
            LogRestoreFailed(exception, message.MessageId);
        }
    }

    private static string? EventIdOf(string messageText)
    {
        try
        {
            return StripeEventQueueMessage.Parse(messageText).EventId;
        }
        catch (InvalidQueueMessageException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Poison message {MessageId} (Stripe event {EventId}) moved back to the main queue")]
    private partial void LogReplayed(string messageId, string? eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not make poison message {MessageId} visible again; it reappears when its lease ends")]
    private partial void LogRestoreFailed(Exception exception, string messageId);
}
