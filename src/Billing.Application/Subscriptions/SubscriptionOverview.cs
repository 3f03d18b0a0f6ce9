using Billing.Application.Accounts;
using Billing.Application.Entitlements;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;

namespace Billing.Application.Subscriptions;

/// <summary>
/// The caller's plan, subscription status, period, trial, cancellation and per-meter usage against the limits. Read
/// only: an account that was never stored is shown as a new account on the free plan, without writing anything (so
/// there is no creation race on this hot path). Two point reads: the account and the period's usage document.
/// </summary>
public sealed class SubscriptionOverview(
    PlanCatalog catalog,
    IBillingAccountStore accounts,
    IUsageLedger usage,
    AccountEntitlements entitlements,
    TimeProvider time)
{
    public async Task<SubscriptionSummary> GetAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false)
                      ?? BillingAccount.Open(accountId, now);
        var entitlement = entitlements.Evaluate(account, now);
        var counters = await usage.GetAsync(accountId, entitlement.PeriodKey, cancellationToken).ConfigureAwait(false);

        return new SubscriptionSummary
        {
            AccountId = accountId,
            AsOf = now,
            Entitlement = entitlement,
            Subscription = account.Subscription,
            LocalTrial = account.LocalTrial,
            TrialUsedAt = account.TrialUsedAt,
            TrialAvailable = catalog.TrialPlan is not null && account.IsTrialAvailable,
            HasStripeCustomer = account.StripeCustomerId is not null,
            Usage = [.. catalog.Meters.Select(meter => MeterUsage.From(entitlement.PolicyFor(meter), counters is null ? null : entitlement.CountersNow(counters), catalog))],
        };
    }
}
