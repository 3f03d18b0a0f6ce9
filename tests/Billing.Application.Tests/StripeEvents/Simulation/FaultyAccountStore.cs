using Billing.Application.Accounts;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.StripeEvents.Simulation;

internal sealed class FaultyAccountStore(IBillingAccountStore inner, FaultPlan plan) : IBillingAccountStore
{
    public Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "accounts.get", () => inner.GetAsync(accountId, cancellationToken));

    public Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "accounts.getOrCreate", () => inner.GetOrCreateAsync(accountId, cancellationToken));

    public Task<BillingAccount?> CreateAsync(AccountId accountId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "accounts.create", () => inner.CreateAsync(accountId, cancellationToken));

    public Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "accounts.update", () => inner.UpdateAsync(accountId, change, cancellationToken));
}
