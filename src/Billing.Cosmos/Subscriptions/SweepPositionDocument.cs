using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Subscriptions;

/// <summary>
/// The missed-event sweep's position (<c>type</c> = sweepPosition, id <c>sweep-position:missed-event-sweep</c>), alone
/// in partition <c>/jobs/missed-event-sweep</c> of the accounts container: the last account a run listed
/// (<c>afterRenewsBy</c>, <c>afterAccountId</c>; both absent: the next run starts at the top) and when it was written.
/// The fields are deliberately not named <c>renewsBy</c>: nothing that filters accounts by it can match this document.
/// Written only by create (409 = another run created it) or an ETag-guarded replace (412 = another run moved it).
/// </summary>
internal sealed record SweepPositionDocument : StoredDocument
{
    /// <summary>The partition key: <see cref="DocumentIds.SweepPositionPartition"/>, not an account.</summary>
    public required string AccountId { get; init; }

    public DateTimeOffset? AfterRenewsBy { get; init; }

    public string? AfterAccountId { get; init; }

    public required DateTimeOffset WrittenAt { get; init; }
}
