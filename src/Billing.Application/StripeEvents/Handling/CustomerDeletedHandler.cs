using Billing.Application.Accounts;
using Billing.Application.Subscriptions;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// <c>customer.deleted</c>: Stripe cancels a deleted customer's subscriptions, so the account's subscription of that
/// customer is read again and applied (the account falls back to the free plan). Then the account forgets the
/// customer (<see cref="Domain.Accounts.BillingAccount.ForgetStripeCustomer"/>): the next Checkout provisions a new
/// customer under a new idempotency-key generation, and the deleted one is never assigned again. The link stays, so
/// late events of that customer still find the account. Last, the account is re-synced from Stripe, which adopts a
/// newer customer of the account when one already exists (events may arrive in any order). Every step is idempotent.
/// </summary>
public sealed class CustomerDeletedHandler(
    StripeEventAccountResolver resolver,
    IBillingAccountStore accounts,
    StripeSubscriptionSync sync,
    AccountStripeResync resync) : IStripeEventTypeHandler
{
    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "customer.deleted" };

    public IReadOnlySet<string> EventTypes => Types;

    public async Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        if ((stripeEvent.CustomerId ?? stripeEvent.ObjectId) is not { } customerId)
        {
            return StripeEventHandlingResult.Ignored(null, "The event carries no customer id.");
        }

        // The link, else the customer's account_id metadata (its checkout events may not have arrived yet).
        var resolution = await resolver.ResolveAsync(customerId, stripeEvent.AccountReference, cancellationToken).ConfigureAwait(false);
        if (resolution.AccountId is not { } accountId)
        {
            return StripeEventHandlingResult.Ignored(null, resolution.Problem!);
        }

        // The link names the account even when the customer's other events have not arrived yet: remember the deletion.
        var account = await accounts.GetOrCreateAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (account.Subscription is { } subscription && subscription.CustomerId == customerId)
        {
            (await sync.SyncAsync(accountId, subscription.SubscriptionId, cancellationToken).ConfigureAwait(false)).FailIfCustomerUnknown(subscription.SubscriptionId);
        }

        await accounts.UpdateAsync(accountId, a => a.ForgetStripeCustomer(customerId), cancellationToken).ConfigureAwait(false);
        var resynced = await resync.ResyncAsync(accountId, cancellationToken).ConfigureAwait(false);
        var note = resynced.CustomerId is { } current
            ? $"Customer {customerId} forgotten; the account now has customer {current}."
            : $"Customer {customerId} forgotten; the next Checkout provisions a new customer.";
        return StripeEventHandlingResult.Applied(accountId, note);
    }
}
