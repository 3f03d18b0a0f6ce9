using Billing.Application.Usage;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Usage;

/// <summary>The accounts kept by an instance for usage recording: bounded, and the ones in use stay kept while others pass through.</summary>
public sealed class RecentAccountsTests
{
    private static readonly DateTimeOffset Opened = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly CountingStore _store = new();

    [Fact]
    public async Task A_kept_account_is_not_read_again()
    {
        var recent = new RecentAccounts(_store, capacity: 10);
        var id = _store.Add("hot");

        await recent.GetAsync(id, CancellationToken.None);
        await recent.GetAsync(id, CancellationToken.None);

        Assert.Equal(1, _store.ReadsOf(id));
    }

    [Fact]
    public async Task An_account_in_use_stays_kept_while_many_others_pass_through_and_the_count_stays_bounded()
    {
        var recent = new RecentAccounts(_store, capacity: 10);
        var hot = _store.Add("hot");
        await recent.GetAsync(hot, CancellationToken.None);

        for (var i = 0; i < 100; i++)
        {
            await recent.GetAsync(_store.Add($"passing-{i}"), CancellationToken.None);
            await recent.GetAsync(hot, CancellationToken.None); // used between every two others
            Assert.InRange(recent.Count, 1, 10);
        }

        Assert.Equal(1, _store.ReadsOf(hot));
    }

    [Fact]
    public async Task An_account_unused_for_a_whole_generation_is_read_again()
    {
        var recent = new RecentAccounts(_store, capacity: 4); // generations of 2
        var cold = _store.Add("cold");
        await recent.GetAsync(cold, CancellationToken.None);

        foreach (var other in new[] { "a", "b", "c", "d" })
        {
            await recent.GetAsync(_store.Add(other), CancellationToken.None);
        }

        await recent.GetAsync(cold, CancellationToken.None);

        Assert.Equal(2, _store.ReadsOf(cold));
    }

    [Fact]
    public async Task A_fresh_read_replaces_the_kept_copy_and_a_deleted_account_is_forgotten()
    {
        var recent = new RecentAccounts(_store, capacity: 10);
        var id = _store.Add("changing");
        await recent.GetAsync(id, CancellationToken.None);
        _store.Put(_store.Get(id) with { Version = 7 });

        var read = await recent.ReadAsync(id, CancellationToken.None);
        var kept = await recent.GetAsync(id, CancellationToken.None);
        _store.Remove(id);
        var gone = await recent.ReadAsync(id, CancellationToken.None);

        Assert.Equal(7, read!.Version);
        Assert.Equal(7, kept!.Version);
        Assert.Null(gone);
        Assert.Equal(0, recent.Count);
    }

    [Fact]
    public void A_capacity_under_two_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecentAccounts(_store, capacity: 1));

    /// <summary>Accounts by id, counting reads per account.</summary>
    private sealed class CountingStore : Application.Accounts.IBillingAccountStore
    {
        private readonly Dictionary<AccountId, BillingAccount> _accounts = [];
        private readonly Dictionary<AccountId, int> _reads = [];

        public AccountId Add(string id)
        {
            var account = BillingAccount.Open(AccountId.Parse(id), Opened);
            _accounts[account.Id] = account;
            return account.Id;
        }

        public BillingAccount Get(AccountId id) => _accounts[id];

        public void Put(BillingAccount account) => _accounts[account.Id] = account;

        public void Remove(AccountId id) => _accounts.Remove(id);

        public int ReadsOf(AccountId id) => _reads.GetValueOrDefault(id);

        public Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken)
        {
            _reads[accountId] = ReadsOf(accountId) + 1;
            return Task.FromResult(_accounts.GetValueOrDefault(accountId));
        }

        public Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<BillingAccount?> CreateAsync(AccountId accountId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
