using Billing.Application.Accounts;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// An account store that runs a hook once, at a chosen point, to put another writer (another instance, another tab)
/// or a crash there: <see cref="AfterRead"/> right after the first read <see cref="ReadWhen"/> accepts (any, by default),
/// <see cref="BeforeUpdate"/> right before the first update reads and writes the account, <see cref="AfterUpdate"/> right
/// after the first update was applied, before it is answered. A hook that throws is the process dying at that point.
/// </summary>
internal sealed class HookedAccountStore(IBillingAccountStore inner) : IBillingAccountStore
{
    private int _readHooked;
    private int _updateHooked;
    private int _beforeUpdateHooked;

    public Func<BillingAccount?, bool> ReadWhen { get; init; } = _ => true;

    public Func<Task>? AfterRead { get; init; }

    public Func<Task>? BeforeUpdate { get; init; }

    public Func<Task>? AfterUpdate { get; init; }

    public async Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var account = await inner.GetAsync(accountId, cancellationToken);
        if (AfterRead is { } hook && ReadWhen(account) && Interlocked.Exchange(ref _readHooked, 1) == 0)
        {
            await hook();
        }

        return account;
    }

    public Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken) => inner.GetOrCreateAsync(accountId, cancellationToken);

    public Task<BillingAccount?> CreateAsync(AccountId accountId, CancellationToken cancellationToken) => inner.CreateAsync(accountId, cancellationToken);

    public async Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken)
    {
        if (BeforeUpdate is { } before && Interlocked.Exchange(ref _beforeUpdateHooked, 1) == 0)
        {
            await before();
        }

        var updated = await inner.UpdateAsync(accountId, change, cancellationToken);
        if (AfterUpdate is { } hook && Interlocked.Exchange(ref _updateHooked, 1) == 0)
        {
            await hook();
        }

        return updated;
    }
}
