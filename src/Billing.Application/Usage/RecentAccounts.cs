using System.Collections.Concurrent;
using Billing.Application.Accounts;
using Billing.Domain.Accounts;

namespace Billing.Application.Usage;

/// <summary>
/// The accounts usage recording and allocations read last, kept in this instance so that a record, a take or a release
/// needs no account read of its own. A kept copy is never trusted: the ledger applies a record (or a take or release)
/// only while the account is still at the version its limits came from (<see cref="UsageRecord.AccountVersion"/>), in
/// the same atomic step, and a stale copy is read again (a release, which needs no limit, is applied unchecked on its
/// last attempt against an account that keeps changing: <see cref="Allocations"/>). So limits still change the moment the account's state changes,
/// on every instance.
/// </summary>
/// <remarks>
/// At most <see cref="Capacity"/> accounts, in two generations of half that each: new copies go to the young one;
/// when it is full it becomes the old one and the previous old one is dropped. A copy used from the old generation
/// moves back to the young one, so accounts in use stay kept however many others pass through, and an account
/// unused for a whole generation is read again when it comes back.
/// </remarks>
public sealed class RecentAccounts(IBillingAccountStore accounts, int capacity = RecentAccounts.Capacity)
{
    /// <summary>Accounts kept at most by default (a few KB each: see docs/data-model.md).</summary>
    public const int Capacity = 20_000;

    private readonly int _generationSize = capacity >= 2 ? capacity / 2 : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Keep at least 2 accounts.");
    private readonly Lock _rotation = new();
    private volatile Generations _kept = new(new ConcurrentDictionary<AccountId, BillingAccount>(), new ConcurrentDictionary<AccountId, BillingAccount>());

    /// <summary>How many copies are kept now: at most the capacity, give or take the copies being added at this moment.</summary>
    public int Count
    {
        get
        {
            var kept = _kept;
            return kept.Young.Count + kept.Old.Count;
        }
    }

    /// <summary>The kept copy, or the account as stored (null when there is none).</summary>
    public ValueTask<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var kept = _kept;
        if (kept.Young.TryGetValue(accountId, out var young))
        {
            return ValueTask.FromResult<BillingAccount?>(young);
        }

        if (kept.Old.TryGetValue(accountId, out var old))
        {
            return ValueTask.FromResult<BillingAccount?>(Keep(old));
        }

        return new ValueTask<BillingAccount?>(ReadAsync(accountId, cancellationToken));
    }

    /// <summary>The account as stored now, kept for the next call (null when there is none).</summary>
    public async Task<BillingAccount?> ReadAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            var kept = _kept;
            kept.Young.TryRemove(accountId, out _);
            kept.Old.TryRemove(accountId, out _);
            return null;
        }

        return Keep(account);
    }

    private BillingAccount Keep(BillingAccount account)
    {
        var kept = _kept;
        if (kept.Young.Count >= _generationSize)
        {
            lock (_rotation)
            {
                if (_kept == kept)
                {
                    _kept = new Generations(new ConcurrentDictionary<AccountId, BillingAccount>(), kept.Young);
                }

                kept = _kept;
            }
        }

        // Two reads racing: keep the newer version.
        var newest = kept.Young.AddOrUpdate(account.Id, account, (_, other) => other.Version > account.Version ? other : account);
        kept.Old.TryRemove(account.Id, out _);
        return newest;
    }

    private sealed record Generations(ConcurrentDictionary<AccountId, BillingAccount> Young, ConcurrentDictionary<AccountId, BillingAccount> Old);
}
