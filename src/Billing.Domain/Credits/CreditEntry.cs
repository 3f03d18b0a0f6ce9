using Billing.Domain.Pricing;

namespace Billing.Domain.Credits;

public enum CreditEntryKind
{
    Grant = 1,
    Spend = 2,
    Expiry = 3,
    Reversal = 4,
    Adjustment = 5,

    /// <summary>A spend given back because its invoice was voided (to the grants it took from that can still be spent).</summary>
    Restore = 6,

    /// <summary>A reversal undone: the refund that caused it failed, so the grant gets back what the reversal took.</summary>
    Reinstatement = 7,
}

/// <summary>How much of one grant an entry took (negative) or gave (positive).</summary>
public sealed record CreditPart(string GrantId, long Amount);

/// <summary>
/// One append-only ledger entry. <see cref="Amount"/> is signed (positive adds credit) and equals the sum of its
/// <see cref="Parts"/>; the book's balance in a currency is the sum of its entries' amounts in that currency.
/// </summary>
public sealed record CreditEntry
{
    /// <summary>The idempotency key, derived from the cause (<c>grant:cs_...</c>, <c>spend:invoice:{runId}</c>, <c>expiry:{grantId}</c>, <c>reversal:{paymentIntentId}</c>, <c>reinstatement:{paymentIntentId}</c>, <c>adjust:{key}</c>, <c>restore:{spend key}</c>).</summary>
    public required string Key { get; init; }

    /// <summary>1, 2, 3, ... in the order the entries were applied to the book (its version after this entry).</summary>
    public required long Sequence { get; init; }

    public required CreditEntryKind Kind { get; init; }

    public required Currency Currency { get; init; }

    public required long Amount { get; init; }

    public required IReadOnlyList<CreditPart> Parts { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>What caused it: a Checkout Session, an invoice run, a charge or dispute.</summary>
    public string? Reference { get; init; }

    /// <summary>Manual adjustments: why; a restore: how much of the spend could not be given back.</summary>
    public string? Reason { get; init; }

    /// <summary>Manual adjustments: who (the operator's identity from the admin token).</summary>
    public string? Operator { get; init; }
}
