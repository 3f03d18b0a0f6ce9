using Azure;
using Azure.Storage.Queues.Models;
using Billing.Application.StripeEvents;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// Operations on <c>&lt;stripe-events queue&gt;-poison</c>, where messages land after <c>maxDequeueCount</c> failed
/// attempts: list them with their events' status, and replay them (move them back to the main queue, where the
/// processor runs them again; events already done are acknowledged without effect).
/// </summary>
public sealed partial class StripeEventPoisonMessages(
    StripeEventQueues queues,
    IStripeEventStore events,
    ILogger<StripeEventPoisonMessages> logger)
{
    /// <summary>A peek returns at most this many messages.</summary>
    public const int MaxPeek = 32;

    /// <summary>Upper bound of messages one replay call looks at, so a call always ends.</summary>
    public const int MaxReplayScan = 5000;

    private static readonly TimeSpan ReplayLease = TimeSpan.FromMinutes(2);

    public string PoisonQueueName => queues.Poison.Name;

    public async Task<PoisonListing> ListAsync(int max, CancellationToken cancellationToken)
    {
        await queues.Poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        PeekedMessage[] peeked = await queues.Poison.PeekMessagesAsync(Math.Clamp(max, 1, MaxPeek), cancellationToken).ConfigureAwait(false);
        QueueProperties properties = await queues.Poison.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
        var views = new List<PoisonMessageView>(peeked.Length);
        foreach (var message in peeked)
        {
            views.Add(await DescribeAsync(message, cancellationToken).ConfigureAwait(false));
        }

        return new PoisonListing(queues.Poison.Name, properties.ApproximateMessagesCount, views);
    }

    /// <summary>Moves the messages of the given events (all messages when <paramref name="eventIds"/> is empty) back to the main queue.</summary>
    public async Task<PoisonReplayResult> ReplayAsync(IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        var selection = eventIds.Count == 0 ? null : eventIds.ToHashSet(StringComparer.Ordinal);
        await queues.Poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await queues.Main.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

        var replayed = new List<ReplayedMessage>();
        var passedOver = new List<QueueMessage>();
        try
        {
            var scanned = 0;
            while (scanned < MaxReplayScan)
            {
                QueueMessage[] batch = await queues.Poison.ReceiveMessagesAsync(MaxPeek, ReplayLease, cancellationToken).ConfigureAwait(false);
                if (batch.Length == 0)
                {
                    break;
                }

                scanned += batch.Length;
                foreach (var message in batch)
                {
                    var eventId = EventIdOf(message.Body);
                    if (selection is not null && (eventId is null || !selection.Contains(eventId)))
                    {
                        passedOver.Add(message);
                        continue;
                    }

                    // Send first, then delete: a failure in between leaves the message in both queues, which is harmless.
                    await queues.Main.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
                    await queues.Poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
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
        var view = new PoisonMessageView { MessageId = message.MessageId, InsertedOn = message.InsertedOn ?? DateTimeOffset.MinValue };
        if (EventIdOf(message.Body) is not { } eventId)
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

    private async Task RestoreVisibilityAsync(QueueMessage message)
    {
        try
        {
            await queues.Poison.UpdateMessageAsync(message.MessageId, message.PopReceipt, message: null, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RequestFailedException or AggregateException or TimeoutException or OperationCanceledException)
        {
            // It becomes visible again when its lease ends.
            LogRestoreFailed(exception, message.MessageId);
        }
    }

    private static string? EventIdOf(BinaryData? body)
    {
        if (body is null)
        {
            return null;
        }

        try
        {
            return StripeEventQueueMessage.Parse(body.ToString()).EventId;
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
