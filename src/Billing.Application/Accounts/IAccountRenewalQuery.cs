using Billing.Domain.Accounts;

namespace Billing.Application.Accounts;

/// <summary>
/// Finds accounts whose live subscription should have renewed, ended or left its trial (their stored
/// <see cref="BillingAccount.RenewsBy"/>) before a given instant without a newer state arriving: the accounts that
/// missed webhook events. A cross-partition query, meant for the missed-event sweep (a timer), never for requests.
/// </summary>
public interface IAccountRenewalQuery
{
    /// <summary>
    /// At most <paramref name="limit"/> accounts whose renewsBy is before <paramref name="renewsBefore"/>, ordered by
    /// renewsBy and then account id, both descending (the most recently due first; a total order, so accounts sharing
    /// one renewsBy are never skipped or repeated). With <paramref name="after"/> (the last one a previous page listed),
    /// only the accounts strictly after it in that order (keyset paging).
    /// </summary>
    Task<IReadOnlyList<RenewalOverdue>> ListRenewalOverdueAsync(DateTimeOffset renewsBefore, RenewalOverdue? after, int limit, CancellationToken cancellationToken);
}

/// <summary>An account past its renewsBy, with the renewsBy the query ordered it by: also the query's keyset position.</summary>
public sealed record RenewalOverdue(AccountId AccountId, DateTimeOffset RenewsBy);
