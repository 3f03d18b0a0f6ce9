using Billing.Application.Invoicing;
using Billing.Cosmos.Documents;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Invoicing;

/// <summary>
/// The invoicing sweep's mark: one small document in its own partition of the accounts container
/// (<see cref="DocumentIds.InvoicingSweepMarkPartition"/>, a value no account id can take), read by a point read (~1 RU)
/// at the start of a run and written once at the end of a successful run by create or ETag-guarded replace, read first
/// (~1 RU): a mark of a newer schema version is not rewritten, and fields this version does not know are kept. Every
/// query on the container filters on <c>type</c> and none on this one, so no listing returns it.
/// </summary>
public sealed class CosmosInvoicingSweepMarkStore(BillingContainers containers, TimeProvider time) : IInvoicingSweepMarkStore
{
    private static readonly PartitionKey Partition = new(DocumentIds.InvoicingSweepMarkPartition);

    private Container Container => containers.Accounts;

    public async Task<StoredInvoicingSweepMark?> GetAsync(CancellationToken cancellationToken)
    {
        var document = await Container.ReadAsync<InvoicingSweepMarkDocument>(DocumentIds.InvoicingSweepMark, Partition, cancellationToken).ConfigureAwait(false);
        return document is null ? null : new StoredInvoicingSweepMark(document.ReadAgainFrom, document.WrittenAt, document.ETag!);
    }

    public async Task<string?> TryWriteAsync(DateOnly readAgainFrom, string? etag, CancellationToken cancellationToken)
    {
        var document = new InvoicingSweepMarkDocument
        {
            Id = DocumentIds.InvoicingSweepMark,
            Type = DocumentTypes.InvoicingSweepMark,
            SchemaVersion = DocumentTypes.InvoicingSweepMarkSchemaVersion,
            AccountId = DocumentIds.InvoicingSweepMarkPartition,
            ReadAgainFrom = readAgainFrom,
            WrittenAt = time.GetUtcNow(),
        };
        if (etag is null)
        {
            return (await Container.CreateAsync(document, Partition, cancellationToken).ConfigureAwait(false)).Document?.ETag;
        }

        // Read first: a mark written by a newer version is not rewritten, and fields this version does not know are kept.
        var stored = await Container.ReadAsync<InvoicingSweepMarkDocument>(document.Id, Partition, cancellationToken).ConfigureAwait(false);
        if (stored is null || !string.Equals(stored.ETag, etag, StringComparison.Ordinal))
        {
            return null; // moved (or removed) by another run since it was read
        }

        stored.EnsureRewritableBy(DocumentTypes.InvoicingSweepMarkSchemaVersion);
        document.ExtensionData = stored.PreservedFields();
        return (await Container.ReplaceAsync(document, document.Id, Partition, etag, cancellationToken).ConfigureAwait(false)).Document?.ETag;
    }
}
