using Billing.Application.Accounts;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// <c>checkout.session.completed</c> (and <c>async_payment_succeeded</c>): links the session's customer to the account
/// it names (<c>client_reference_id</c>, else <c>account_id</c> metadata) and, in subscription mode, applies the
/// subscription as Stripe has it now. The session then stops being the account's open Checkout (not before: until the
/// subscription is applied, a Checkout on other terms must find the session paid and be refused). Payment-mode sessions (credit
/// packs, add-ons) go to the <see cref="ICheckoutPaymentHandler"/> (<c>Credits/PurchaseCompletedHandler</c>), which
/// grants only once the session is paid; <c>checkout.session.async_payment_failed</c> has no handler and grants nothing.
/// </summary>
public sealed class CheckoutSessionCompletedHandler(
    StripeEventAccountResolver resolver,
    IBillingAccountStore accounts,
    StripeSubscriptionSync sync,
    IEnumerable<ICheckoutPaymentHandler> paymentHandlers) : IStripeEventTypeHandler
{
    public const string SubscriptionMode = "subscription";
    public const string PaymentMode = "payment";

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal)
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    };

    public IReadOnlySet<string> EventTypes => Types;

    public async Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        if (stripeEvent.CheckoutMode is not (SubscriptionMode or PaymentMode))
        {
            return StripeEventHandlingResult.Ignored(null, $"Checkout Session mode '{stripeEvent.CheckoutMode}' needs no action.");
        }

        var resolution = await resolver.ResolveAsync(stripeEvent.CustomerId, stripeEvent.AccountReference, cancellationToken).ConfigureAwait(false);
        if (resolution.AccountId is not { } accountId)
        {
            return StripeEventHandlingResult.Ignored(null, resolution.Problem!);
        }

        // Checkout links the customer to the account before it creates the session, so the account read here names it
        // already in the common case: only an account that would take the customer is updated (a read and a write).
        var account = await accounts.GetOrCreateAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (stripeEvent.CustomerId is { } customerId && account.AssignStripeCustomer(customerId).Changed)
        {
            account = await accounts.UpdateAsync(accountId, account => account.AssignStripeCustomer(customerId).Account, cancellationToken).ConfigureAwait(false);
        }

        var result = await ApplyAsync(account, stripeEvent, cancellationToken).ConfigureAwait(false);

        // Only now, once what it sold is on the account: while an attempt that failed before is retried, the account still
        // names the session, so a Checkout on other terms finds it paid and is refused instead of selling a second subscription.
        // Read again, not decided on the read above: a Checkout in another tab may name this session again meanwhile (it
        // found it paid while replacing it). A payment-mode session (a pack, an add-on) is never an account's open Checkout.
        if (stripeEvent.CheckoutMode == SubscriptionMode && stripeEvent.ObjectId is { } sessionId)
        {
            await accounts.UpdateAsync(accountId, account => account.ClearCheckout(sessionId), cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>What the session sold, applied to the account <paramref name="account"/> is a read of (a payment's handler decides on that read).</summary>
    private async Task<StripeEventHandlingResult> ApplyAsync(BillingAccount account, StripeEventPayload stripeEvent, CancellationToken cancellationToken)
    {
        var accountId = account.Id;
        if (stripeEvent.CheckoutMode == PaymentMode)
        {
            return paymentHandlers.FirstOrDefault() is { } payments
                ? await payments.HandleAsync(account, stripeEvent, cancellationToken).ConfigureAwait(false)
                : StripeEventHandlingResult.Ignored(accountId, "Payment-mode Checkout Session: no feature of this build handles one-off payments; an ignored event is final (never applied again).");
        }

        if (stripeEvent.SubscriptionId is not { } subscriptionId)
        {
            return StripeEventHandlingResult.Ignored(accountId, "Subscription-mode Checkout Session without a subscription.");
        }

        var synced = await sync.SyncAsync(accountId, subscriptionId, cancellationToken).ConfigureAwait(false);
        return synced.ToHandlingResult(accountId, subscriptionId);
    }
}
