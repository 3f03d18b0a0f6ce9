using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;

namespace Billing.Application.Tests.StripeEvents.Simulation;

internal sealed class FaultySubscriptionSource(IStripeSubscriptionSource inner, FaultPlan plan) : IStripeSubscriptionSource
{
    public Task<SubscriptionSnapshot?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.getSubscription", () => inner.GetSubscriptionAsync(subscriptionId, cancellationToken));

    public Task<IReadOnlyList<SubscriptionSnapshot>> ListCustomerSubscriptionsAsync(string customerId, bool includeEnded, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.listSubscriptions", () => inner.ListCustomerSubscriptionsAsync(customerId, includeEnded, cancellationToken));

    public Task<string?> FindCustomerIdAsync(AccountId accountId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.findCustomer", () => inner.FindCustomerIdAsync(accountId, cancellationToken));

    public Task<StripeCustomerSnapshot?> GetCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.getCustomer", () => inner.GetCustomerAsync(customerId, cancellationToken));
}
