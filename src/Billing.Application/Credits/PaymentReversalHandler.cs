using Billing.Application.Accounts;
using Billing.Application.Payments;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Domain.Credits;

namespace Billing.Application.Credits;

/// <summary>
/// <c>charge.refunded</c> and <c>charge.dispute.closed</c> with status <c>lost</c>: the purchase paid by that
/// PaymentIntent is taken back. Credit: the unspent part of its grant, as one reversal entry per grant (key
/// <c>reversal:{paymentIntentId}</c>, so a partial refund, a second refund and a lost dispute reverse once). An
/// add-on: revoked. Payments that bought neither (a subscription invoice) change nothing.
/// </summary>
public sealed class PaymentReversalHandler(
    StripeEventAccountResolver resolver,
    IStripeBillingGateway gateway,
    CreditLedger ledger,
    IBillingAccountStore accounts,
    TimeProvider time) : IStripeEventTypeHandler
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
        var posting = await ledger.PostAsync(accountId, CreditOperation.Reverse(paymentIntentId, reference), cancellationToken).ConfigureAwait(false);
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        var revokes = account?.AddOns.Any(a => a.PaymentIntentId == paymentIntentId && a.RevokedAt is null) == true;
        if (revokes)
        {
            var now = time.GetUtcNow();
            await accounts.UpdateAsync(accountId, a => a.RevokeAddOn(paymentIntentId, now), cancellationToken).ConfigureAwait(false);
        }

        return posting.Kind switch
        {
            CreditPostingKind.Posted => StripeEventHandlingResult.Applied(accountId, $"Took back {-posting.Entry!.Amount} {posting.Entry.Currency} of unspent credit."),
            _ when revokes => StripeEventHandlingResult.Applied(accountId, "Revoked the add-on it paid for."),
            CreditPostingKind.AlreadyPosted => StripeEventHandlingResult.Ignored(accountId, "The credit it paid for was taken back before."),
            _ => StripeEventHandlingResult.Ignored(accountId, posting.Note ?? "Nothing to take back."),
        };
    }
}
