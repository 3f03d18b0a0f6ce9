using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Usage;

/// <summary>Units of one allocation meter an account holds (<c>type</c> = allocations), id <c>allocations:{accountId}:{meter}</c>.</summary>
internal sealed record AllocationCounterDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public required string Meter { get; init; }

    /// <summary>Changed only by patch increments (+1 on take, -1 on release).</summary>
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

    /// <summary>True from the create until the meter's counter has this unit (then false): a twin take waits for it.</summary>
    public bool Pending { get; init; }
}
