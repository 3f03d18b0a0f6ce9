using System.Text.Json.Serialization;
using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Credits;

/// <summary>
/// The account's credit book (<c>type</c> = credits, id <c>credits:{accountId}</c>): every grant with what remains,
/// the number of entries applied (<c>version</c>) and the entries of the last change applied but not yet written out
/// (<c>pending</c>: one, or a grant taken back at once and its reversal; absent when none). Written only by create (409 =
/// someone else created it) or an ETag-guarded replace.
/// </summary>
internal sealed record CreditBookDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public long Version { get; init; }

    /// <summary>Currency -> sum of the grants' remaining amounts, written for readers of the raw document.</summary>
    public Dictionary<string, long> Balances { get; init; } = [];

    public List<CreditGrantDocument> Grants { get; init; } = [];

    [JsonConverter(typeof(PendingEntriesConverter))]
    public List<CreditEntryBody>? Pending { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

internal sealed record CreditGrantDocument : DocumentPart
{
    public required string GrantId { get; init; }

    public required string Currency { get; init; }

    public required long Amount { get; init; }

    public required long Remaining { get; init; }

    public required DateTimeOffset GrantedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public required string Source { get; init; }

    public string? PaymentIntentId { get; init; }

    public DateTimeOffset? ReversedAt { get; init; }

    /// <summary>Absent on a grant reversed in a book of schema 1 (<c>CosmosCreditLedgerStore</c> reads it from the reversal's entry).</summary>
    public long? ReversedAmount { get; init; }

    public int Reinstatements { get; init; }
}

/// <summary>One entry's content, as the entry document and as one of the book's pending entries.</summary>
internal record CreditEntryBody
{
    public required string Key { get; init; }

    public required long Sequence { get; init; }

    public required string Kind { get; init; }

    public required string Currency { get; init; }

    public required long Amount { get; init; }

    public required List<CreditPartDocument> Parts { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? Reference { get; init; }

    public string? Reason { get; init; }

    public string? Operator { get; init; }
}

internal sealed record CreditPartDocument(string GrantId, long Amount);

/// <summary>One ledger entry (<c>type</c> = creditEntry, id <c>credit-entry:{accountId}:{sha256 of the key}</c>), created once, never changed.</summary>
internal sealed record CreditEntryDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public required CreditEntryBody Entry { get; init; }

    /// <summary>Copied from the entry so the ledger page query can filter and order on it.</summary>
    public required long Sequence { get; init; }
}
