using Billing.Application.Accounts;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// <c>checkout.session.completed</c> (and <c>async_payment_succeeded</c>): links the session's customer to the account
/// it names (<c>client_reference_id</c>, else <c>account_id</c> metadata) and, in subscription mode, applies the
/// subscription as Stripe has it now. The session stops being the account's open Checkout. Payment-mode sessions (credit
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

    public bool CanHandle(string eventType) => Types.Contains(eventType);

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

        await accounts.GetOrCreateAsync(accountId, cancellationToken).ConfigureAwait(false);
        var sessionId = stripeEvent.ObjectId;
        var customerId = stripeEvent.CustomerId;
        await accounts.UpdateAsync(
            accountId,
            account =>
            {
                var changed = customerId is null ? account : account.AssignStripeCustomer(customerId).Account;
                return sessionId is null ? changed : changed.ClearCheckout(sessionId);
            },
            cancellationToken).ConfigureAwait(false);

        if (stripeEvent.CheckoutMode == PaymentMode)
        {
            return paymentHandlers.FirstOrDefault() is { } payments
                ? await payments.HandleAsync(accountId, stripeEvent, cancellationToken).ConfigureAwait(false)
                : StripeEventHandlingResult.Ignored(accountId, "Payment-mode Checkout Session: no feature handles one-off payments yet (the event is kept and can be replayed).");
        }

        if (stripeEvent.SubscriptionId is not { } subscriptionId)
        {
            return StripeEventHandlingResult.Ignored(accountId, "Subscription-mode Checkout Session without a subscription.");
        }

        var synced = await sync.SyncAsync(accountId, subscriptionId, cancellationToken).ConfigureAwait(false);
        return synced.ToHandlingResult(accountId, subscriptionId);
    }
}
