using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Invoicing;

/// <summary>
/// The invoicing sweep's mark (<c>type</c> = invoicingSweepMark, id <c>sweep-mark:invoicing-sweep</c>), alone in
/// partition <c>/jobs/invoicing-sweep</c> of the accounts container: <c>readAgainFrom</c>, the first closing day
/// (<c>yyyy-MM-dd</c>, UTC) the next run must read again (every day before it was read by a successful run and its jobs
/// queued), and when it was written. Written only by the timer's sweep after a run that succeeded, by create (409 = another
/// run created it) or an ETag-guarded replace (412 = another run moved it).
/// </summary>
internal sealed record InvoicingSweepMarkDocument : StoredDocument
{
    /// <summary>The partition key: <see cref="DocumentIds.InvoicingSweepMarkPartition"/>, not an account.</summary>
    public required string AccountId { get; init; }

    public required DateOnly ReadAgainFrom { get; init; }

    public required DateTimeOffset WrittenAt { get; init; }
}
