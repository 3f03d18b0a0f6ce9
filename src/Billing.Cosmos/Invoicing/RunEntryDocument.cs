using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Invoicing;

/// <summary>
/// An invoice run's entry in the operators' run index of its month (<c>type</c> = runEntry), id
/// <c>run-entry:{accountId}:{periodKey}</c> in the partition <c>/admin/runs/{yyyy-MM}</c> of the month the run's period
/// ends in: which run exists, nothing of its state (the listing reads each run itself), so it is written once, before
/// the run is created, and never changes.
/// </summary>
internal sealed record RunEntryDocument : StoredDocument
{
    /// <summary>The partition key: the month's index partition, not an account.</summary>
    public required string AccountId { get; init; }

    public required string BillingAccountId { get; init; }

    public required string PeriodKey { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// The mark a finished backfill of a month's run index leaves (<c>type</c> = runIndexMark), id
/// <c>run-index-completed</c> in the month's partition <c>/admin/runs/{yyyy-MM}</c>: every run of the month is named in
/// the index since <see cref="CompletedAt"/>. Created once; a later backfill keeps it.
/// </summary>
internal sealed record RunIndexMarkDocument : StoredDocument
{
    /// <summary>The partition key: the month's index partition.</summary>
    public required string AccountId { get; init; }

    public required DateTimeOffset CompletedAt { get; init; }
}
