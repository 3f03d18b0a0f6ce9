using Billing.Domain.Accounts;

namespace Billing.Application.Accounts;

/// <summary>
/// Finds accounts whose live subscription should have renewed, ended or left its trial (their stored
/// <see cref="BillingAccount.RenewsBy"/>) before a given instant without a newer state arriving: the accounts that
/// missed webhook events. A cross-partition query, meant for the missed-event sweep (a timer), never for requests.
/// </summary>
public interface IAccountRenewalQuery
{
    /// <summary>At most <paramref name="limit"/> accounts whose renewsBy is before <paramref name="renewsBefore"/>, the most recently due first.</summary>
    Task<IReadOnlyList<RenewalOverdue>> ListRenewalOverdueAsync(DateTimeOffset renewsBefore, int limit, CancellationToken cancellationToken);
}

/// <summary>An account past its renewsBy, with the renewsBy the query ordered it by.</summary>
public sealed record RenewalOverdue(AccountId AccountId, DateTimeOffset RenewsBy);
