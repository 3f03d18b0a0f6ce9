using Billing.Application.Payments;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;

namespace Billing.Application.StripeEvents.Handling;

internal static class SubscriptionSyncHandling
{
    /// <summary>In effect (applied now or before, or a newer read is kept) -> Applied; otherwise Ignored with the reason.</summary>
    public static StripeEventHandlingResult ToHandlingResult(this SubscriptionSyncResult sync, AccountId accountId, string subscriptionId) =>
        sync.FailIfCustomerUnknown(subscriptionId).IsInEffect
            ? StripeEventHandlingResult.Applied(accountId, sync.Outcome == SubscriptionSyncOutcome.Applied ? null : sync.Describe(subscriptionId))
            : StripeEventHandlingResult.Ignored(accountId, sync.Describe(subscriptionId));

    /// <summary>
    /// Stripe knowing neither the subscription nor its customer (a key of another Stripe account or mode) is a failure,
    /// not an answer: the event is retried and then kept in the poison queue, to be replayed once the key is right,
    /// instead of being marked final with nothing applied.
    /// </summary>
    public static SubscriptionSyncResult FailIfCustomerUnknown(this SubscriptionSyncResult sync, string subscriptionId) =>
        sync.Outcome == SubscriptionSyncOutcome.CustomerUnknownInStripe ? throw new PaymentProviderException(sync.Describe(subscriptionId)) : sync;
}
