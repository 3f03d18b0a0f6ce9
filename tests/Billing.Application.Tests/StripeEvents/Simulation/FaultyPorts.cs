using Billing.Application.Accounts;
using Billing.Application.StripeCustomers;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;

namespace Billing.Application.Tests.StripeEvents.Simulation;

/// <summary>Runs a port call under the fault plan: maybe crash or interleave before it, maybe crash after it took effect.</summary>
internal static class FaultyCall
{
    public static async Task<T> RunAsync<T>(FaultPlan plan, string operation, Func<Task<T>> call)
    {
        await plan.BeforeAsync(operation);
        var result = await call();
        plan.After(operation);
        return result;
    }
}

internal sealed class FaultyEventStore(IStripeEventStore inner, FaultPlan plan) : IStripeEventStore
{
    public Task<StripeEventAddResult> TryAddAsync(NewStripeEvent stripeEvent, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.add", () => inner.TryAddAsync(stripeEvent, cancellationToken));

    public Task<StripeEventRecord?> GetAsync(string eventId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.get", () => inner.GetAsync(eventId, cancellationToken));

    public Task<StripeEventTransitionResult> TryBeginProcessingAsync(string eventId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.begin", () => inner.TryBeginProcessingAsync(eventId, cancellationToken));

    public Task<StripeEventTransitionResult> MarkAppliedAsync(string eventId, AccountId? accountId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.applied", () => inner.MarkAppliedAsync(eventId, accountId, cancellationToken));

    public Task<StripeEventTransitionResult> MarkIgnoredAsync(string eventId, AccountId? accountId, string reason, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.ignored", () => inner.MarkIgnoredAsync(eventId, accountId, reason, cancellationToken));

    public Task<StripeEventTransitionResult> MarkFailedAsync(string eventId, string failure, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "events.failed", () => inner.MarkFailedAsync(eventId, failure, cancellationToken));
}

internal sealed class FaultyAccountStore(IBillingAccountStore inner, FaultPlan plan) : IBillingAccountStore
{
    public Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "accounts.get", () => inner.GetAsync(accountId, cancellationToken));

    public Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "accounts.getOrCreate", () => inner.GetOrCreateAsync(accountId, cancellationToken));

    public Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "accounts.update", () => inner.UpdateAsync(accountId, change, cancellationToken));
}

internal sealed class FaultyCustomerLinks(IStripeCustomerLinks inner, FaultPlan plan) : IStripeCustomerLinks
{
    public Task<CustomerLinkResult> LinkAsync(string stripeCustomerId, AccountId accountId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "links.link", () => inner.LinkAsync(stripeCustomerId, accountId, cancellationToken));

    public Task<AccountId?> FindAccountIdAsync(string stripeCustomerId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "links.find", () => inner.FindAccountIdAsync(stripeCustomerId, cancellationToken));
}

internal sealed class FaultySubscriptionSource(IStripeSubscriptionSource inner, FaultPlan plan) : IStripeSubscriptionSource
{
    public Task<SubscriptionSnapshot?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.getSubscription", () => inner.GetSubscriptionAsync(subscriptionId, cancellationToken));

    public Task<IReadOnlyList<SubscriptionSnapshot>> ListCustomerSubscriptionsAsync(string customerId, bool includeEnded, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.listSubscriptions", () => inner.ListCustomerSubscriptionsAsync(customerId, includeEnded, cancellationToken));

    public Task<string?> FindCustomerIdAsync(AccountId accountId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.findCustomer", () => inner.FindCustomerIdAsync(accountId, cancellationToken));
}

internal sealed class FaultyQueueWriter(IStripeEventQueueWriter inner, FaultPlan plan) : IStripeEventQueueWriter
{
    public Task EnqueueAsync(StripeEventQueueMessage message, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "queue.send", async () =>
        {
            await inner.EnqueueAsync(message, cancellationToken);
            return true;
        });
}
