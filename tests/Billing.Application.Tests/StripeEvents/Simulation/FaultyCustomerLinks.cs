using Billing.Application.StripeCustomers;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.StripeEvents.Simulation;

internal sealed class FaultyCustomerLinks(IStripeCustomerLinks inner, FaultPlan plan) : IStripeCustomerLinks
{
    public Task<CustomerLinkResult> LinkAsync(string stripeCustomerId, AccountId accountId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "links.link", () => inner.LinkAsync(stripeCustomerId, accountId, cancellationToken));

    public Task<AccountId?> FindAccountIdAsync(string stripeCustomerId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "links.find", () => inner.FindAccountIdAsync(stripeCustomerId, cancellationToken));
}
