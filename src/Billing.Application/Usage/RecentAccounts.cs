using System.Collections.Concurrent;
using Billing.Application.Accounts;
using Billing.Domain.Accounts;

namespace Billing.Application.Usage;

/// <summary>
/// The accounts usage recording read last, kept in this instance so that recording needs no account read of its
/// own. A kept copy is never trusted: the ledger applies a record only while the account is still at the version its
/// limits came from (<see cref="UsageRecord.AccountVersion"/>), in the same atomic step, and a stale copy is read
/// again. So limits still change the moment the account's state changes, on every instance.
/// </summary>
public sealed class RecentAccounts(IBillingAccountStore accounts)
{
    /// <summary>Accounts kept at most; past it the copies are dropped and read again as they are used.</summary>
    public const int Capacity = 20_000;

    private readonly ConcurrentDictionary<AccountId, BillingAccount> _kept = new();

    /// <summary>The kept copy, or the account as stored (null when there is none).</summary>
    public ValueTask<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken) =>
        _kept.TryGetValue(accountId, out var kept) ? ValueTask.FromResult<BillingAccount?>(kept) : new ValueTask<BillingAccount?>(ReadAsync(accountId, cancellationToken));

    /// <summary>The account as stored now, kept for the next call (null when there is none).</summary>
    public async Task<BillingAccount?> ReadAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            _kept.TryRemove(accountId, out _);
            return null;
        }

        if (_kept.Count >= Capacity)
        {
            _kept.Clear();
        }

        // Two reads racing: keep the newer version.
        return _kept.AddOrUpdate(accountId, account, (_, kept) => kept.Version > account.Version ? kept : account);
    }
}
