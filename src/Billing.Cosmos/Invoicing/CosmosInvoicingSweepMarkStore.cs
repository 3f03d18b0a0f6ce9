using Billing.Application.Invoicing;
using Billing.Cosmos.Documents;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Invoicing;

/// <summary>
/// The invoicing sweep's mark: one small document in its own partition of the accounts container
/// (<see cref="DocumentIds.InvoicingSweepMarkPartition"/>, a value no account id can take), read by a point read (~1 RU)
/// at the start of a run and moved forward once at the end of a successful run (<see cref="DocumentOperations.WriteUnlessNewerAsync"/>:
/// read, then create or ETag-guarded replace, ~2 RU): a later day stored or a mark of a newer schema version is kept,
/// and fields this version does not know are kept. Every
/// query on the container filters on <c>type</c> and none on this one, so no listing returns it.
/// </summary>
public sealed class CosmosInvoicingSweepMarkStore(BillingContainers containers, TimeProvider time) : IInvoicingSweepMarkStore
{
    private static readonly PartitionKey Partition = new(DocumentIds.InvoicingSweepMarkPartition);

    private Container Container => containers.Accounts;

    public async Task<StoredInvoicingSweepMark?> GetAsync(CancellationToken cancellationToken)
    {
        var document = await Container.ReadAsync<InvoicingSweepMarkDocument>(DocumentIds.InvoicingSweepMark, Partition, cancellationToken).ConfigureAwait(false);
        return document is null ? null : new StoredInvoicingSweepMark(document.ReadAgainFrom, document.WrittenAt);
    }

    public Task MoveForwardAsync(DateOnly readAgainFrom, CancellationToken cancellationToken) =>
        Container.WriteUnlessNewerAsync<InvoicingSweepMarkDocument>(
            DocumentIds.InvoicingSweepMark,
            Partition,
            stored => new InvoicingSweepMarkDocument
            {
                Id = DocumentIds.InvoicingSweepMark,
                Type = DocumentTypes.InvoicingSweepMark,
                SchemaVersion = DocumentTypes.InvoicingSweepMarkSchemaVersion,
                AccountId = DocumentIds.InvoicingSweepMarkPartition,
                ReadAgainFrom = readAgainFrom,
                WrittenAt = time.GetUtcNow(),
                ExtensionData = stored?.PreservedFields(),
            },
            (stored, document) => stored.ReadAgainFrom >= document.ReadAgainFrom,
            cancellationToken);
}
