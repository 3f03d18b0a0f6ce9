namespace Billing.Application.Admin;

/// <summary>
/// The operators' index of accounts: one <see cref="AccountSummary"/> per account, listed by filter and keyset page
/// without reading the accounts themselves (never a scan of the account partitions).
/// </summary>
public interface IAccountDirectory
{
    /// <summary>Stores the summary unless the stored one is of a later account version (an older summary never wins).</summary>
    Task RecordAsync(AccountSummary summary, CancellationToken cancellationToken);

    /// <summary>Up to <see cref="AccountDirectoryQuery.Limit"/> summaries in account id order, after <see cref="AccountDirectoryQuery.After"/>.</summary>
    Task<AccountDirectoryPage> ListAsync(AccountDirectoryQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// A page request: exact <paramref name="Plan"/> and <paramref name="Status"/>, <paramref name="Search"/> (lower case)
/// contained in the account id or the Stripe customer id, account ids greater than <paramref name="After"/>.
/// </summary>
public sealed record AccountDirectoryQuery(string? Plan, string? Status, string? Search, string? After, int Limit);

/// <summary>A page of summaries; <paramref name="HasMore"/> when at least one more matches after the last.</summary>
public sealed record AccountDirectoryPage(IReadOnlyList<AccountSummary> Items, bool HasMore);
