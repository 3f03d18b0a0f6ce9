using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Usage;

/// <summary>Units of one allocation meter an account holds (<c>type</c> = allocations), id <c>allocations:{accountId}:{meter}</c>.</summary>
internal sealed record AllocationCounterDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public required string Meter { get; init; }

    /// <summary>Changed only by the <c>allocate.js</c> procedure, with the unit it takes or releases.</summary>
    public required long Held { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>One held unit (<c>type</c> = allocation), id <c>allocation:{accountId}:{meter}:{sha256(allocationId)}</c>.</summary>
internal sealed record AllocationDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public required string Meter { get; init; }

    public required string AllocationId { get; init; }

    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>
    /// True only on a unit left by the two-step take <c>allocate.js</c> replaced (created, then counted, then marked),
    /// which may or may not have been counted: the procedure counts it afresh on a take and does not decrement for it
    /// on a release. No unit is written pending now.
    /// </summary>
    public bool Pending { get; init; }
}
