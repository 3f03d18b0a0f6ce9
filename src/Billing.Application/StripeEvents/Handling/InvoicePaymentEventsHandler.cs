using Billing.Application.Invoicing;
using Billing.Application.Subscriptions;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// <c>invoice.paid</c> (a paid period: the subscription's new current period, so usage counters roll over to the new
/// period's key), <c>invoice.payment_failed</c> and <c>invoice.payment_action_required</c> (past_due: the plan is kept
/// for the grace period, then free limits until paid), <c>invoice.voided</c> and <c>invoice.marked_uncollectible</c>
/// (a past_due subscription may recover): applies the invoice's subscription as Stripe has it now. Invoices without a
/// subscription (one-off, usage invoices included) are recorded and ignored, under the account the customer is linked
/// to, as are <c>invoice.finalized</c> and <c>invoice.deleted</c>. A usage invoice (one an invoicing run
/// created, named by its <c>billing_run</c> metadata) gets its new status recorded on its run (<see cref="InvoiceRunStatusSync"/>);
/// <c>invoice.finalized</c> does only that, and only for a draft a run kept while its subscription's collection was
/// paused, finalized by the merchant (<see cref="InvoiceRunStatusSync.RefreshFinalizedAsync"/>); it reads no
/// subscription: Stripe finalizes every renewal invoice, and none changes the account. <c>invoice.deleted</c> (a
/// draft, deleted for good) likewise only ends a usage invoice's run (<see cref="InvoiceRunStatusSync.RecordDeletedAsync"/>).
/// </summary>
public sealed class InvoicePaymentEventsHandler(StripeEventAccountResolver resolver, StripeSubscriptionSync sync, InvoiceRunStatusSync usageInvoices) : IStripeEventTypeHandler
{
    private const string Finalized = "invoice.finalized";
    private const string Deleted = "invoice.deleted";

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal)
    {
        Finalized,
        Deleted,
        "invoice.paid",
        "invoice.payment_failed",
        "invoice.payment_action_required",
        "invoice.voided",
        "invoice.marked_uncollectible",
    };

    public IReadOnlySet<string> EventTypes => Types;

    public async Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        if (stripeEvent is { ObjectType: "invoice", ObjectId: { } invoiceId, BillingReason: InvoiceRunStatusSync.UsageInvoiceBillingReason })
        {
            await (stripeEvent.Type switch
            {
                Finalized => usageInvoices.RefreshFinalizedAsync(invoiceId, stripeEvent.BillingRun, stripeEvent.Delivery, cancellationToken),
                Deleted => usageInvoices.RecordDeletedAsync(invoiceId, stripeEvent.BillingRun, stripeEvent.Delivery, cancellationToken),
                _ => usageInvoices.RefreshAsync(invoiceId, stripeEvent.BillingRun, stripeEvent.Delivery, cancellationToken),
            }).ConfigureAwait(false);
        }

        if (stripeEvent.Type is Finalized or Deleted)
        {
            return await ChangesNoAccountAsync(stripeEvent, $"A {(stripeEvent.Type == Deleted ? "deleted" : "finalized")} invoice changes no account; a usage invoice's run follows it.", cancellationToken).ConfigureAwait(false);
        }

        if (stripeEvent.SubscriptionId is not { } subscriptionId)
        {
            // A usage invoice is a one-off invoice of the customer too (StripeInvoicing.CreateDraftAsync says why)
            return await ChangesNoAccountAsync(stripeEvent, stripeEvent.BillingRun is null ? "The invoice belongs to no subscription." : "A usage invoice changes no account; its run follows it.", cancellationToken).ConfigureAwait(false);
        }

        var resolution = await resolver.ResolveAsync(stripeEvent.CustomerId, stripeEvent.AccountReference, cancellationToken).ConfigureAwait(false);
        if (resolution.AccountId is not { } accountId)
        {
            return StripeEventHandlingResult.Ignored(null, resolution.Problem!);
        }

        var synced = await sync.SyncAsync(accountId, subscriptionId, cancellationToken).ConfigureAwait(false);
        return synced.ToHandlingResult(accountId, subscriptionId);
    }

    /// <summary>
    /// Ignored, but kept under the account its customer is linked to (a read, never a link: the event names no account
    /// to link), so the operator's account view lists it: a usage invoice's failed payment is there beside its run.
    /// </summary>
    private async Task<StripeEventHandlingResult> ChangesNoAccountAsync(StripeEventPayload stripeEvent, string reason, CancellationToken cancellationToken)
    {
        var owner = await resolver.ResolveAsync(stripeEvent.CustomerId, accountReference: null, cancellationToken).ConfigureAwait(false);
        return StripeEventHandlingResult.Ignored(owner.AccountId, reason);
    }
}
