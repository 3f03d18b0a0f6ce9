using Billing.Application.Accounts;
using Billing.Application.StripeCustomers;
using Billing.Application.Subscriptions;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// <c>customer.deleted</c>: Stripe cancels a deleted customer's subscriptions, so the account's subscription of that
/// customer is read again and applied (the account falls back to the free plan). The account keeps the customer id
/// as history (it never changes); the link stays, so late events of that customer still find the account.
/// </summary>
public sealed class CustomerDeletedHandler(IStripeCustomerLinks links, IBillingAccountStore accounts, StripeSubscriptionSync sync) : IStripeEventTypeHandler
{
    public bool CanHandle(string eventType) => eventType == "customer.deleted";

    public async Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        if ((stripeEvent.CustomerId ?? stripeEvent.ObjectId) is not { } customerId)
        {
            return StripeEventHandlingResult.Ignored(null, "The event carries no customer id.");
        }

        if (await links.FindAccountIdAsync(customerId, cancellationToken).ConfigureAwait(false) is not { } accountId)
        {
            return StripeEventHandlingResult.Ignored(null, $"Stripe customer {customerId} is not linked to a billing account.");
        }

        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (account?.Subscription is not { } subscription || subscription.CustomerId != customerId)
        {
            return StripeEventHandlingResult.Ignored(accountId, $"The account has no subscription of the deleted customer {customerId}.");
        }

        var synced = await sync.SyncAsync(accountId, subscription.SubscriptionId, cancellationToken).ConfigureAwait(false);
        return synced.ToHandlingResult(accountId, subscription.SubscriptionId);
    }
}
