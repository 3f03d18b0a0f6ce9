using Billing.Application.Accounts;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.Application.Subscriptions;

/// <summary>Applies a Stripe subscription snapshot to a stored account with optimistic concurrency.</summary>
public sealed class SubscriptionSnapshotApplier(IBillingAccountStore accounts, PlanCatalog catalog)
{
    /// <returns>The decision taken on the freshest account state, and the account as stored afterwards.</returns>
    public async Task<SubscriptionSnapshotResult> ApplyAsync(AccountId accountId, SubscriptionSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        SubscriptionSnapshotResult? decision = null;
        var stored = await accounts.UpdateAsync(
            accountId,
            account =>
            {
                decision = account.ApplySubscriptionSnapshot(snapshot, catalog);
                return decision.Changed ? decision.Account : null;
            },
            cancellationToken).ConfigureAwait(false);
        return decision! with { Account = stored };
    }
}
