using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Billing.Application.Operations;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// The mechanics shared by every poison queue the operator works on: peek the first messages with the queue's size,
/// and move messages back to the main queue, all of them or those whose key (what the message is about: a Stripe
/// event id, an invoice run id) is selected. What a message means is the caller's business (<c>keyOf</c>). An outage
/// of the queue service is a <see cref="Billing.Application.ServiceUnavailableException"/>: a replay cut short by one
/// has moved some messages, and run again moves the rest.
/// </summary>
internal sealed partial class PoisonQueue(QueueClient main, QueueClient poison, ILogger logger)
{
    /// <summary>A peek returns at most this many messages.</summary>
    public const int MaxPeek = PoisonQueueKinds.MaxPeek;

    /// <summary>Upper bound of messages one replay call looks at, so a call always ends.</summary>
    public const int MaxReplayScan = 5000;

    private static readonly TimeSpan ReplayLease = TimeSpan.FromMinutes(2);

    public string PoisonQueueName => poison.Name;

    /// <summary>
    /// The first messages (at most <see cref="MaxPeek"/>), each as <paramref name="describe"/> sees it, and the queue's
    /// approximate size; a missing queue is created (empty).
    /// </summary>
    public async Task<PoisonListing> ListAsync(int max, Func<PeekedMessage, CancellationToken, Task<PoisonMessageView>> describe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(describe);
        PeekedMessage[] peeked;
        QueueProperties properties;
        try
        {
            await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            using (var undecodable = UndecodableMessages.Collect())
            {
                // A message the host could not decode is in the poison queue as it was: listed with its raw body.
                PeekedMessage[] decoded = await poison.PeekMessagesAsync(Math.Clamp(max, 1, MaxPeek), cancellationToken).ConfigureAwait(false);
                peeked = [.. decoded, .. undecodable.Peeked];
            }

            properties = await poison.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (QueueOutage.Is(exception, cancellationToken))
        {
            throw QueueOutage.Of(poison.Name, exception);
        }

        var views = new List<PoisonMessageView>(peeked.Length);
        foreach (var message in peeked)
        {
            views.Add(await describe(message, cancellationToken).ConfigureAwait(false));
        }

        return new PoisonListing(PoisonQueueName, properties.ApproximateMessagesCount, views);
    }

    /// <summary>
    /// Moves the messages whose key is in <paramref name="keys"/> (every message when it is empty) back to the main
    /// queue, unchanged; messages passed over are made visible again at once. Returns what was moved and the
    /// requested keys no message had.
    /// </summary>
    public async Task<PoisonReplayResult> ReplayAsync(IReadOnlyCollection<string> keys, Func<BinaryData?, string?> keyOf, Func<string, string?, ReplayedMessage> describe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        try
        {
            return await MoveAsync(keys, keyOf, describe, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (QueueOutage.Is(exception, cancellationToken))
        {
            throw QueueOutage.Of(poison.Name, exception);
        }
    }

    private async Task<PoisonReplayResult> MoveAsync(IReadOnlyCollection<string> keys, Func<BinaryData?, string?> keyOf, Func<string, string?, ReplayedMessage> describe, CancellationToken cancellationToken)
    {
        var selection = keys.Count == 0 ? null : keys.ToHashSet(StringComparer.Ordinal);
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await main.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

        var replayed = new List<(ReplayedMessage Message, string? Key)>();
        var passedOver = new List<QueueMessage>();
        try
        {
            var scanned = 0;
            while (scanned < MaxReplayScan)
            {
                QueueMessage[] batch;
                using (var undecodable = UndecodableMessages.Collect())
                {
                    // A message the host could not decode (not base64) comes with its raw body; moved, it is sent base64.
                    QueueMessage[] decoded = await poison.ReceiveMessagesAsync(MaxPeek, ReplayLease, cancellationToken).ConfigureAwait(false);
                    batch = [.. decoded, .. undecodable.Received];
                }

                if (batch.Length == 0)
                {
                    break;
                }

                scanned += batch.Length;
                foreach (var message in batch)
                {
                    var key = keyOf(message.Body);
                    if (selection is not null && (key is null || !selection.Contains(key)))
                    {
                        passedOver.Add(message);
                        continue;
                    }

                    // Send first, then delete: a failure in between leaves the message in both queues, which is harmless.
                    await main.SendMessageAsync(message.Body, visibilityTimeout: null, timeToLive: QueueServiceFactory.NeverExpires, cancellationToken).ConfigureAwait(false);
                    await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                    replayed.Add((describe(message.MessageId, key), key));
                    LogReplayed(message.MessageId, poison.Name, key);
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

        var notFound = selection is null ? [] : selection.Except(replayed.Select(r => r.Key).OfType<string>()).Order(StringComparer.Ordinal).ToList();
        return new PoisonReplayResult([.. replayed.Select(r => r.Message)], notFound);
    }

    private async Task RestoreVisibilityAsync(QueueMessage message)
    {
        try
        {
            await poison.UpdateMessageAsync(message.MessageId, message.PopReceipt, message: null, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RequestFailedException or AggregateException or TimeoutException or OperationCanceledException)
        {
            // It becomes visible again when its lease ends.
            LogRestoreFailed(exception, message.MessageId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Poison message {MessageId} of {PoisonQueue} ({Key}) moved back to the main queue")]
    private partial void LogReplayed(string messageId, string poisonQueue, string? key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not make poison message {MessageId} visible again; it reappears when its lease ends")]
    private partial void LogRestoreFailed(Exception exception, string messageId);
}
