using Billing.Application.Accounts;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Microsoft.Extensions.Options;

namespace Billing.Application.Subscriptions;

/// <summary>
/// Applies a Stripe subscription snapshot to a stored account with optimistic concurrency. A snapshot that ends a usage
/// period early (the subscription ended at once, or its billing period restarted) moves that period's end in the usage
/// ledger to the real one (<see cref="SubscriptionSnapshotResult.EndedEarly"/>), so the period is invoiced the day after
/// with the dates it ran, not weeks later at the end its usage was counted with.
/// </summary>
public sealed class SubscriptionSnapshotApplier(IBillingAccountStore accounts, IUsageLedger usage, PlanCatalog catalog, IOptions<SubscriptionSyncOptions> options)
{
    private readonly TimeSpan _clockSkew = options.Value.ClockSkew;

    /// <returns>The decision taken on the freshest account state, and the account as stored afterwards.</returns>
    public async Task<SubscriptionSnapshotResult> ApplyAsync(AccountId accountId, SubscriptionSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);

        // The period is moved before the account is stored: once stored, a redelivery of the event no longer ends it,
        // and a failure in between would leave the period at its old end. Moving it is safe to repeat, and right
        // whatever the account's update then decides: the end comes from Stripe's own facts about this subscription.
        var early = (await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false))?.ApplySubscriptionSnapshot(snapshot, catalog, _clockSkew).EndedEarly;
        if (early is not null)
        {
            await usage.MovePeriodEndAsync(accountId, early.Key, early.End, cancellationToken).ConfigureAwait(false);
        }

        SubscriptionSnapshotResult? decision = null;
        var stored = await accounts.UpdateAsync(
            accountId,
            account =>
            {
                decision = account.ApplySubscriptionSnapshot(snapshot, catalog, _clockSkew);
                return decision.Changed ? decision.Account : null;
            },
            cancellationToken).ConfigureAwait(false);
        if (decision!.EndedEarly is { } ended && ended != early)
        {
            await usage.MovePeriodEndAsync(accountId, ended.Key, ended.End, cancellationToken).ConfigureAwait(false); // the first read was out of date
        }

        return decision with { Account = stored };
    }
}
