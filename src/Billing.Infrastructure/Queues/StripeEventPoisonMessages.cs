using System.Text.Json;
using Azure.Storage.Queues.Models;
using Billing.Application.Operations;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;
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
    ILogger<StripeEventPoisonMessages> logger) : IPoisonMessages
{
    /// <summary>A peek returns at most this many messages.</summary>
    public const int MaxPeek = PoisonQueue.MaxPeek;

    /// <summary>Upper bound of messages one replay call looks at, so a call always ends.</summary>
    public const int MaxReplayScan = PoisonQueue.MaxReplayScan;

    private readonly PoisonQueue _queue = new(queues.Main, queues.Poison, logger);

    private readonly StripeEventQueueWriter _writer = new(queues);

    public string Kind => PoisonQueueKinds.StripeEvents;

    public string PoisonQueueName => _queue.PoisonQueueName;

    public Task<PoisonListing> ListAsync(int max, CancellationToken cancellationToken) =>
        _queue.ListAsync(max, DescribeAsync, cancellationToken);

    /// <summary>
    /// Moves the messages of the given events (all messages when <paramref name="ids"/> is empty) back to the main queue.
    /// A selected event without a poison message that the store holds and is not done yet is queued again from the
    /// store: in Azure a poison message expires after 7 days (the Functions host sends it with the queue's default time
    /// to live and offers no setting for it: Azure/azure-webjobs-sdk-extensions#891), while its event stays stored.
    /// </summary>
    public async Task<PoisonReplayResult> ReplayAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var moved = await _queue.ReplayAsync(ids, EventIdOf, (messageId, eventId) => new ReplayedMessage(messageId, eventId), cancellationToken).ConfigureAwait(false);
        var requeued = new List<ReplayedMessage>();
        var notFound = new List<string>();
        foreach (var eventId in moved.NotFound)
        {
            var record = await events.GetAsync(eventId, cancellationToken).ConfigureAwait(false);
            if (record is null || record.Status.IsFinal())
            {
                notFound.Add(eventId);
                continue;
            }

            // The writer tells an outage of the queue service (QueueOutage) as every queue adapter does.
            var sent = await _writer.EnqueueAsync(new StripeEventQueueMessage { EventId = eventId, Type = record.Type }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            requeued.Add(new ReplayedMessage(sent.MessageId, eventId));
            LogRequeuedFromStore(eventId, record.Status);
        }

        return new PoisonReplayResult([.. moved.Replayed, .. requeued], notFound);
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

        var (objectId, customerId) = ObjectOf(record.Payload);
        return view with
        {
            EventId = eventId,
            ObjectId = objectId,
            CustomerId = customerId,
            EventType = record.Type,
            Status = record.Status.ToString().ToLowerInvariant(),
            Attempts = record.Attempts,
            LastAttemptAt = record.LastAttemptAt,
            AccountId = record.AccountId?.Value,
            Note = record.Note,
        };
    }

    /// <summary><c>data.object</c>'s id and its customer's id, as far as the stored body has them (never a failure).</summary>
    private static (string? ObjectId, string? CustomerId) ObjectOf(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
                || !data.TryGetProperty("object", out var item) || item.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var id = StringOf(item, "id");
            var customer = item.TryGetProperty("customer", out var owner) && owner.ValueKind == JsonValueKind.Object
                ? StringOf(owner, "id") // expanded
                : StringOf(item, "customer");
            return (id, customer ?? (StringOf(item, "object") == "customer" ? id : null));
        }
        catch (JsonException)
        {
            return (null, null);
        }

        static string? StringOf(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} ({Status}) had no poison message (expired: the host keeps one 7 days); queued again from the event store")]
    private partial void LogRequeuedFromStore(string eventId, StripeEventStatus status);
}
