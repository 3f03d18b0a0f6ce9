using Billing.Application.Credits;
using Billing.Application.Payments;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// A payment taken back, and given back. <c>charge.refunded</c> and <c>charge.dispute.closed</c> with status
/// <c>lost</c>: the purchase paid by that PaymentIntent is taken back (<see cref="PurchaseReversal"/>). Credit: the
/// unspent part of its grant, as one reversal entry per grant (key <c>reversal:{paymentIntentId}</c>, so a partial
/// refund, a second refund and a lost dispute reverse once). An add-on: revoked. A payment whose purchase has not been
/// applied (yet) is remembered on the account, so that purchase is never granted; a payment that bought neither (a
/// subscription invoice) is remembered the same way, harmlessly. <c>refund.failed</c>: when no other refund or dispute
/// still takes the charge back, what the reversal did is undone. Both read the charge from Stripe first, so a refund
/// that failed before its <c>charge.refunded</c> was processed (or redelivered) takes nothing back.
/// </summary>
public sealed class PaymentReversalHandler(
    StripeEventAccountResolver resolver,
    IStripeBillingGateway gateway,
    PurchaseReversal reversal) : IStripeEventTypeHandler
{
    public const string ChargeRefunded = "charge.refunded";
    public const string DisputeClosed = "charge.dispute.closed";
    public const string RefundFailed = "refund.failed";

    public bool CanHandle(string eventType) => eventType is ChargeRefunded or DisputeClosed or RefundFailed;

    public async Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        if (stripeEvent.Type == DisputeClosed && stripeEvent.ObjectStatus != "lost")
        {
            return StripeEventHandlingResult.Ignored(null, $"The dispute closed as '{stripeEvent.ObjectStatus}': nothing is taken back.");
        }

        if (stripeEvent.Type == RefundFailed && stripeEvent.ObjectStatus != "failed")
        {
            return StripeEventHandlingResult.Ignored(null, $"The refund is '{stripeEvent.ObjectStatus}', not failed: nothing is given back.");
        }

        if (stripeEvent.PaymentIntentId is not { } paymentIntentId)
        {
            return StripeEventHandlingResult.Ignored(null, "The charge has no PaymentIntent: it paid for no purchase of this backend.");
        }

        // A lost dispute is final, and only its customer is read from the charge (disputes do not name it). A refund is
        // not final (it can fail later): refunds are checked against the charge as it is now.
        ChargeStanding? charge = null;
        if (stripeEvent.ChargeId is { } chargeId && (stripeEvent.Type != DisputeClosed || stripeEvent.CustomerId is null))
        {
            charge = await gateway.GetChargeAsync(chargeId, cancellationToken).ConfigureAwait(false);
        }
        var resolution = await resolver.ResolveAsync(stripeEvent.CustomerId ?? charge?.CustomerId, null, cancellationToken).ConfigureAwait(false);
        if (resolution.AccountId is not { } accountId)
        {
            return StripeEventHandlingResult.Ignored(null, resolution.Problem!);
        }

        var reference = stripeEvent.ObjectId ?? stripeEvent.Id;
        return stripeEvent.Type == RefundFailed
            ? await GiveBackAsync(accountId, paymentIntentId, reference, charge, cancellationToken).ConfigureAwait(false)
            : await TakeBackAsync(stripeEvent, accountId, paymentIntentId, reference, charge, cancellationToken).ConfigureAwait(false);
    }

    private async Task<StripeEventHandlingResult> TakeBackAsync(StripeEventPayload stripeEvent, AccountId accountId, string paymentIntentId, string reference, ChargeStanding? charge, CancellationToken cancellationToken)
    {
        if (stripeEvent.Type == ChargeRefunded && charge is { IsTakenBack: false })
        {
            return StripeEventHandlingResult.Ignored(accountId, "Every refund of the charge has failed since: nothing is taken back.");
        }

        var taken = await reversal.ReverseAsync(accountId, paymentIntentId, reference, cancellationToken).ConfigureAwait(false);
        var posting = taken.Posting;
        return posting.Kind switch
        {
            CreditPostingKind.Posted => StripeEventHandlingResult.Applied(accountId, $"Took back {-posting.Entry!.Amount} {posting.Entry.Currency} of unspent credit."),
            _ when taken.AddOnRevoked => StripeEventHandlingResult.Applied(accountId, "Revoked the add-on it paid for."),
            CreditPostingKind.AlreadyPosted => StripeEventHandlingResult.Ignored(accountId, "The credit it paid for was taken back before."),
            _ when taken.NothingApplied => StripeEventHandlingResult.Ignored(accountId, "It paid for nothing applied here (a subscription invoice, or a purchase whose event has not arrived yet): remembered, so such a purchase is never granted."),
            _ => StripeEventHandlingResult.Ignored(accountId, posting.Note ?? "Nothing to take back."),
        };
    }

    private async Task<StripeEventHandlingResult> GiveBackAsync(AccountId accountId, string paymentIntentId, string reference, ChargeStanding? charge, CancellationToken cancellationToken)
    {
        if (charge is null)
        {
            return StripeEventHandlingResult.Ignored(accountId, "Stripe does not know the refund's charge: nothing is given back.");
        }

        if (charge.IsTakenBack)
        {
            return StripeEventHandlingResult.Ignored(accountId, "Another refund or a dispute still takes the charge back: nothing is given back.");
        }

        var given = await reversal.GiveBackAsync(accountId, paymentIntentId, reference, cancellationToken).ConfigureAwait(false);
        return given switch
        {
            { Posting: { Kind: CreditPostingKind.Posted, Entry: { } entry } } => StripeEventHandlingResult.Applied(accountId, $"The refund failed: gave back {entry.Amount} {entry.Currency} of credit."),
            { AddOnReinstated: true } => StripeEventHandlingResult.Applied(accountId, "The refund failed: gave back the add-on it paid for."),
            { EarlyReversalForgotten: true } => StripeEventHandlingResult.Applied(accountId, "The refund failed before its purchase was applied: the purchase will be granted."),
            _ => StripeEventHandlingResult.Ignored(accountId, given.Posting?.Note ?? "Nothing it paid for is taken back here."),
        };
    }
}
