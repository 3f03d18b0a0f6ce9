using System.Globalization;
using Billing.Application;
using Billing.Application.Admin;
using Billing.Application.StripeEvents;
using Billing.Cosmos.Documents;
using Billing.Cosmos.StripeEvents;
using Billing.Domain.Accounts;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Admin;

/// <summary>
/// The Stripe events of an account for operators. The stripe-events container is partitioned by event id, so
/// "the events of account X" there would be a query across every partition; instead
/// <see cref="CosmosStripeEventStore"/> copies an event into the account's own partition when it is applied or ignored
/// for that account, and the account's recent events are one query inside its partition:
/// <c>SELECT TOP n * FROM c WHERE c.accountId = @account AND c.type = 'accountStripeEvent' ORDER BY c.receivedAt DESC</c>.
/// </summary>
public sealed class CosmosStripeEventHistory(BillingContainers containers) : IStripeEventHistory
{
    /// <summary>How long an account keeps an event in its history (Stripe itself keeps events for 30 days).</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(90);

    private Container Container => containers.Accounts;

    public async Task<IReadOnlyList<AccountStripeEvent>> ListRecentAsync(AccountId accountId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var query = new QueryDefinition(string.Create(
                CultureInfo.InvariantCulture,
                $"SELECT TOP {limit} * FROM c WHERE c.accountId = @account AND c.type = @type ORDER BY c.receivedAt DESC"))
            .WithParameter("@account", accountId.Value)
            .WithParameter("@type", DocumentTypes.AccountStripeEvent);
        var events = new List<AccountStripeEvent>();
        var options = new QueryRequestOptions { PartitionKey = new PartitionKey(accountId.Value), MaxItemCount = limit };
        using var feed = Container.GetItemQueryIterator<AccountStripeEventDocument>(query, requestOptions: options);
        while (feed.HasMoreResults && events.Count < limit)
        {
            foreach (var d in await feed.ReadPageAsync(cancellationToken).ConfigureAwait(false))
            {
                if (events.Count < limit && d.AccountId == accountId.Value && d.Type == DocumentTypes.AccountStripeEvent)
                {
                    events.Add(new AccountStripeEvent
                    {
                        EventId = d.EventId,
                        Type = d.EventType,
                        Status = CosmosStripeEventStore.StatusValue(d.Status),
                        Created = d.StripeCreatedAt,
                        ReceivedAt = d.ReceivedAt,
                        CompletedAt = d.CompletedAt,
                        Attempts = d.Attempts,
                        Note = d.Note,
                    });
                }
            }
        }

        return events;
    }

    /// <summary>
    /// Copies a completed event into its account's partition (an upsert: a completion happens once, and a repeat is the
    /// same content). A failure (Cosmos DB refusing it, or no connection: the SDK lets an <see cref="HttpRequestException"/>
    /// through) throws <see cref="OperatorCopyNotWrittenException"/>: the event's own outcome is stored
    /// already, and the processor has the delivery retried, whose redelivery of the final event writes the copy again.
    /// </summary>
    internal async Task RecordAsync(StripeEventRecord record, CancellationToken cancellationToken)
    {
        if (record.AccountId is not { } accountId)
        {
            return;
        }

        var document = new AccountStripeEventDocument
        {
            Id = DocumentIds.AccountStripeEvent(accountId, record.Id),
            Type = DocumentTypes.AccountStripeEvent,
            SchemaVersion = DocumentTypes.AccountStripeEventSchemaVersion,
            AccountId = accountId.Value,
            EventId = record.Id,
            EventType = record.Type,
            Status = record.Status,
            StripeCreatedAt = record.Created,
            ReceivedAt = record.ReceivedAt,
            CompletedAt = record.CompletedAt,
            Attempts = record.Attempts,
            Note = record.Note,
            Ttl = (int)Retention.TotalSeconds,
        };
        try
        {
            await Container.UpsertAsync(document, new PartitionKey(accountId.Value), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is CosmosException or ServiceUnavailableException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new OperatorCopyNotWrittenException($"The account history entry '{document.Id}' was not written ({exception.GetType().Name}).", exception);
        }
    }
}
