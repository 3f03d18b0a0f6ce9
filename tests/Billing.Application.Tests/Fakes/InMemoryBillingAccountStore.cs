using System.Collections.Concurrent;
using Billing.Application.Accounts;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Fakes;

/// <summary>An in-memory store with the same contract (versioned compare-and-swap); counts writes.</summary>
internal sealed class InMemoryBillingAccountStore(TimeProvider time) : IBillingAccountStore, IAccountRenewalQuery
{
    private readonly ConcurrentDictionary<AccountId, BillingAccount> _accounts = new();

    public int Writes { get; private set; }

    /// <summary>The point reads the Cosmos store would make: one per <see cref="GetAsync"/>, <see cref="GetOrCreateAsync"/> and <see cref="UpdateAsync"/>.</summary>
    public int Reads => Volatile.Read(ref _reads);

    private int _reads;

    /// <summary>Every version written, in order (creations included).</summary>
    public List<BillingAccount> History { get; } = [];

    public Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return Task.FromResult(_accounts.GetValueOrDefault(accountId));
    }

    public Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        if (_accounts.TryGetValue(accountId, out var existing))
        {
            return Task.FromResult(existing);
        }

        var opened = BillingAccount.Open(accountId, time.GetUtcNow());
        if (_accounts.TryAdd(accountId, opened))
        {
            History.Add(opened);
            return Task.FromResult(opened);
        }

        return Task.FromResult(_accounts[accountId]);
    }

    public Task<BillingAccount?> CreateAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var opened = BillingAccount.Open(accountId, time.GetUtcNow());
        if (!_accounts.TryAdd(accountId, opened))
        {
            return Task.FromResult<BillingAccount?>(null);
        }

        History.Add(opened);
        return Task.FromResult<BillingAccount?>(opened);
    }

    /// <summary>When set, an update whose token is cancelled throws before it writes, as the Cosmos SDK does before sending.</summary>
    public bool RefuseCancelledUpdates { get; set; }

    public Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken)
    {
        if (RefuseCancelledUpdates)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        Interlocked.Increment(ref _reads);

        while (true)
        {
            var current = _accounts.GetValueOrDefault(accountId) ?? throw new BillingAccountNotFoundException(accountId);
            var changed = change(current);
            if (changed is null || changed == current)
            {
                return Task.FromResult(current);
            }

            var stored = changed with { Version = current.Version + 1, UpdatedAt = time.GetUtcNow() };
            if (_accounts.TryUpdate(accountId, stored, current))
            {
                Writes++;
                History.Add(stored);
                return Task.FromResult(stored);
            }
        }
    }

    /// <summary>As Cosmos DB orders them: renewsBy, then account id (ordinal), both descending; strictly after <paramref name="after"/>.</summary>
    public Task<IReadOnlyList<RenewalOverdue>> ListRenewalOverdueAsync(DateTimeOffset renewsBefore, RenewalOverdue? after, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<RenewalOverdue> due = [.. _accounts.Values
            .Where(a => a.RenewsBy < renewsBefore)
            .Select(a => new RenewalOverdue(a.Id, a.RenewsBy!.Value))
            .Where(d => after is null || d.RenewsBy < after.RenewsBy
                        || (d.RenewsBy == after.RenewsBy && string.CompareOrdinal(d.AccountId.Value, after.AccountId.Value) < 0))
            .OrderByDescending(d => d.RenewsBy)
            .ThenByDescending(d => d.AccountId.Value, StringComparer.Ordinal)
            .Take(limit)];
        return Task.FromResult(due);
    }

    /// <summary>Stores the account as given; replacing one moves its version on, as every write to the store does.</summary>
    public void Put(BillingAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        _accounts[account.Id] = _accounts.TryGetValue(account.Id, out var stored) && stored.Version >= account.Version
            ? account with { Version = stored.Version + 1 }
            : account;
    }

    /// <summary>The version of the stored account; null when there is none.</summary>
    public long? VersionOf(AccountId accountId) => _accounts.TryGetValue(accountId, out var stored) ? stored.Version : null;
}
