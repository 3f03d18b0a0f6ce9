using Billing.Domain.Accounts;

namespace Billing.Application.Credits;

/// <summary>
/// The spends of an account's credit still to be decided for charges owed earlier: the invoices of closed usage periods
/// that have not spent yet (<see cref="Domain.Credits.CreditOperation.Spend"/> owed since the period's end). The ledger
/// writes no expiry while one of them may still take from the grant (<see cref="Domain.Credits.CreditBook.DueExpiry"/>).
/// </summary>
public interface IPendingCreditSpends
{
    /// <summary>
    /// The moments in [<paramref name="from"/>, <paramref name="before"/>) since which a spend of the account's credit is
    /// owed and not decided yet; <paramref name="before"/> is never later than now.
    /// </summary>
    Task<IReadOnlyList<DateTimeOffset>> ListAsync(AccountId accountId, DateTimeOffset from, DateTimeOffset before, CancellationToken cancellationToken);
}
