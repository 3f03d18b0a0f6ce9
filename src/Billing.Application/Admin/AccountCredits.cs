using Billing.Domain.Pricing;

namespace Billing.Application.Admin;

/// <summary>An account's credit for the operator views: the balance per currency and its latest ledger entries.</summary>
public sealed record AccountCredits(IReadOnlyList<Money> Balance, IReadOnlyList<CreditLedgerLine> Entries);

/// <summary>
/// One ledger entry: its kind (grant, spend, expiry, reversal, adjustment, restore), the signed amount, when, and for manual
/// adjustments the reason and the operator; for a grant, when it expires.
/// </summary>
public sealed record CreditLedgerLine(string Kind, Money Amount, DateTimeOffset At)
{
    public string? Reason { get; init; }

    public string? Actor { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}
