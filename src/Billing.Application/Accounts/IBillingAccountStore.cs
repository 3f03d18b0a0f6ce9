using Billing.Domain.Accounts;

namespace Billing.Application.Accounts;

/// <summary>Persistence of billing accounts, one document per account, read by a point read.</summary>
public interface IBillingAccountStore
{
    /// <summary>The account, or null when it was never created.</summary>
    Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken);

    /// <summary>
    /// The account, created on first need. Safe under races: concurrent callers for a new account create exactly
    /// one document and all of them get it.
    /// </summary>
    Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the account, or answers null when it exists already (created by a concurrent caller or long ago): of
    /// callers racing to create one account, exactly one gets it.
    /// </summary>
    Task<BillingAccount?> CreateAsync(AccountId accountId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the account, applies <paramref name="change"/> and writes the result only if nobody wrote in between
    /// (optimistic concurrency); on a conflict it re-reads and re-applies, a bounded number of times.
    /// <paramref name="change"/> may therefore run more than once and must be a pure function of its input;
    /// returning null (or an equal account) means "nothing to change" and writes nothing.
    /// </summary>
    /// <returns>The account as stored after the update (or as read, when nothing changed).</returns>
    /// <exception cref="BillingAccountNotFoundException">The account does not exist.</exception>
    /// <exception cref="AccountUpdateConflictException">Every attempt lost a race to another writer.</exception>
    Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken);
}
