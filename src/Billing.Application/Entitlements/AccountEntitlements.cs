using Billing.Application.Accounts;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Plans;
using Microsoft.Extensions.Options;

namespace Billing.Application.Entitlements;

/// <summary>The effective entitlement of an account now: one point read plus the pure rules.</summary>
public sealed class AccountEntitlements(
    IBillingAccountStore accounts,
    PlanCatalog catalog,
    IOptions<EntitlementOptions> options,
    TimeProvider time)
{
    /// <summary>An account that does not exist yet gets the free plan (reading never creates the account).</summary>
    public async Task<Entitlement> GetAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false)
                      ?? BillingAccount.Open(accountId, now);
        return Evaluate(account, now);
    }

    public Entitlement Evaluate(BillingAccount account, DateTimeOffset now) =>
        EntitlementRules.Evaluate(account, catalog, now, options.Value.PastDueGracePeriod);
}
