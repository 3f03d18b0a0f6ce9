using Billing.Application.Credits;
using Billing.Application.Payments;
using Billing.Domain.Credits;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// <c>charge.refunded</c> and <c>charge.dispute.closed</c> with status <c>lost</c>: the purchase paid by that
/// PaymentIntent is taken back (<see cref="PurchaseReversal"/>). Credit: the unspent part of its grant, as one reversal
/// entry per grant (key <c>reversal:{paymentIntentId}</c>, so a partial refund, a second refund and a lost dispute
/// reverse once). An add-on: revoked. A payment whose purchase has not been applied (yet) is remembered on the account,
/// so that purchase is never granted; a payment that bought neither (a subscription invoice) is remembered the same way, harmlessly.
/// </summary>
public sealed class PaymentReversalHandler(
    StripeEventAccountResolver resolver,
    IStripeBillingGateway gateway,
    PurchaseReversal reversal) : IStripeEventTypeHandler
{
    public const string ChargeRefunded = "charge.refunded";
    public const string DisputeClosed = "charge.dispute.closed";

    public bool CanHandle(string eventType) => eventType is ChargeRefunded or DisputeClosed;

    public async Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        if (stripeEvent.Type == DisputeClosed && stripeEvent.ObjectStatus != "lost")
        {
            return StripeEventHandlingResult.Ignored(null, $"The dispute closed as '{stripeEvent.ObjectStatus}': nothing is taken back.");
        }

        if (stripeEvent.PaymentIntentId is not { } paymentIntentId)
        {
            return StripeEventHandlingResult.Ignored(null, "The charge has no PaymentIntent: it paid for no purchase of this backend.");
        }

        var customerId = stripeEvent.CustomerId;
        if (customerId is null && stripeEvent.ChargeId is { } chargeId)
        {
            customerId = await gateway.FindChargeCustomerAsync(chargeId, cancellationToken).ConfigureAwait(false);
        }

        var resolution = await resolver.ResolveAsync(customerId, null, cancellationToken).ConfigureAwait(false);
        if (resolution.AccountId is not { } accountId)
        {
            return StripeEventHandlingResult.Ignored(null, resolution.Problem!);
        }

        var reference = stripeEvent.ObjectId ?? stripeEvent.Id;
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
}
