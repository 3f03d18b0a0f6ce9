using Billing.Domain.Accounts;
using Billing.Domain.Pricing;

namespace Billing.Application.Admin;

/// <summary>
/// What the operator views need from the prepaid credit ledger: an account's balance and its latest entries. The
/// views work without it (they say the ledger is not connected); the credit ledger's adapter implements it.
/// </summary>
public interface ICreditBalances
{
    /// <summary>The balance per currency (empty when the account never had credit) and up to <paramref name="entries"/> latest entries, newest first.</summary>
    Task<AccountCredits> GetAsync(AccountId accountId, int entries, CancellationToken cancellationToken);
}

/// <summary>An account's credit: the balance per currency and its latest ledger entries.</summary>
public sealed record AccountCredits(IReadOnlyList<Money> Balance, IReadOnlyList<CreditLedgerLine> Entries);

/// <summary>
/// One ledger entry: its kind (grant, spend, expiry, refund reversal, adjustment), the signed amount, when, and for
/// manual adjustments the reason and the operator.
/// </summary>
public sealed record CreditLedgerLine(string Kind, Money Amount, DateTimeOffset At)
{
    public string? Reason { get; init; }

    public string? Actor { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}
