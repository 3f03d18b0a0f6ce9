using Billing.Application.Accounts;
using Billing.Application.Subscriptions;
using Billing.Cosmos.Documents;
using Billing.Domain.Accounts;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Subscriptions;

/// <summary>
/// The missed-event sweep's position: one small document in its own partition of the accounts container
/// (<see cref="DocumentIds.SweepPositionPartition"/>, a value no account id can take), read by a point read (~1 RU) at
/// the start of a run and written after each of its batches by create or ETag-guarded replace (~6-10 RU), read first
/// (~1 RU): a position of a newer schema version is not rewritten, and fields this version does not know are kept.
/// Every query on the container filters on <c>type</c> and none on this one, so no listing returns it.
/// </summary>
public sealed class CosmosMissedEventSweepPositionStore(BillingContainers containers, TimeProvider time) : IMissedEventSweepPositionStore
{
    private static readonly PartitionKey Partition = new(DocumentIds.SweepPositionPartition);

    private Container Container => containers.Accounts;

    public async Task<StoredSweepPosition?> GetAsync(CancellationToken cancellationToken)
    {
        var document = await Container.ReadAsync<SweepPositionDocument>(DocumentIds.MissedEventSweepPosition, Partition, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }

        // A position naming no valid account (half written by hand, say) is read as none: the next lap starts at the top.
        var after = document.AfterRenewsBy is { } renewsBy && AccountId.TryParse(document.AfterAccountId, out var accountId, out _)
            ? new RenewalOverdue(accountId, renewsBy)
            : null;
        return new StoredSweepPosition(after, document.WrittenAt, document.ETag!);
    }

    public Task<string?> TryWriteAsync(RenewalOverdue? after, string? etag, CancellationToken cancellationToken)
    {
        var document = new SweepPositionDocument
        {
            Id = DocumentIds.MissedEventSweepPosition,
            Type = DocumentTypes.SweepPosition,
            SchemaVersion = DocumentTypes.SweepPositionSchemaVersion,
            AccountId = DocumentIds.SweepPositionPartition,
            AfterRenewsBy = after?.RenewsBy,
            AfterAccountId = after?.AccountId.Value,
            WrittenAt = time.GetUtcNow(),
        };
        return Container.TryCreateOrReplaceAsync(document, Partition, etag, cancellationToken);
    }
}
