using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;

namespace Billing.Application.Subscriptions;

/// <summary>
/// Reads subscriptions from Stripe as snapshots whose <see cref="SubscriptionSnapshot.AsOf"/> is the moment the read
/// began on this instance's clock. Stripe answers a read with at least the state it had when the read began, so a
/// snapshot read later is never older: comparing these times orders Stripe states whatever order events arrive in,
/// up to how far apart the instances' clocks may be (<see cref="SubscriptionSyncOptions.ClockSkew"/>).
/// </summary>
public interface IStripeSubscriptionSource
{
    /// <summary>
    /// The subscription as Stripe has it now, or null only when Stripe answers that it has no subscription with this id
    /// (a canceled one is still read); every other failure (unreachable, 5xx, a wrong or restricted key) throws.
    /// </summary>
    Task<SubscriptionSnapshot?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>The customer's subscriptions: those not canceled, or all of them with <paramref name="includeEnded"/>.</summary>
    Task<IReadOnlyList<SubscriptionSnapshot>> ListCustomerSubscriptionsAsync(string customerId, bool includeEnded, CancellationToken cancellationToken);

    /// <summary>
    /// The customer as Stripe has it now (a deleted one is still read, <see cref="StripeCustomerSnapshot.Deleted"/>), or
    /// null only when Stripe answers that it has no customer with this id: never one in the Stripe account and mode the
    /// key reads. Every other failure throws, as for <see cref="GetSubscriptionAsync"/>.
    /// </summary>
    Task<StripeCustomerSnapshot?> GetCustomerAsync(string customerId, CancellationToken cancellationToken);

    /// <summary>The (not deleted) Stripe customer whose <c>account_id</c> metadata names the account, or null.</summary>
    Task<string?> FindCustomerIdAsync(AccountId accountId, CancellationToken cancellationToken);
}
