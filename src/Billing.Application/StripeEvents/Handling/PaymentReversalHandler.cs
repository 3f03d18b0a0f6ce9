using Billing.Application.Credits;
using Billing.Application.Payments;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// A payment taken back, and given back. <c>charge.refunded</c> and <c>charge.dispute.closed</c> with status
/// <c>lost</c>: the purchase paid by that PaymentIntent is taken back (<see cref="PurchaseReversal"/>). Credit: the
/// unspent part of its grant, as one reversal entry (key <c>reversal:{paymentIntentId}</c>, so a partial refund, a
/// second refund and a lost dispute reverse once). An add-on: revoked. A payment whose purchase has not been applied
/// (yet) is remembered on the account, so that purchase is taken back as soon as it is granted; a payment that bought
/// neither (a subscription invoice) is remembered the same way, harmlessly.
/// <para>
/// A refund is not final: it can fail or be canceled days later (<c>refund.failed</c>, <c>refund.updated</c>), and a
/// dispute can be won (<c>charge.dispute.closed</c> with status <c>won</c>). Those give back what the reversal took when
/// nothing takes the charge back any more. Every refund decision reads the charge's refunds and disputes from Stripe
/// (never the event's copy), and reads them again after its write: a refund and its failure processed at the same time,
/// or a second refund made while the first one's failure is given back, end in Stripe's state.
/// </para>
/// </summary>
public sealed class PaymentReversalHandler(
    StripeEventAccountResolver resolver,
    IStripeBillingGateway gateway,
    PurchaseReversal reversal) : IStripeEventTypeHandler
{
    public const string ChargeRefunded = "charge.refunded";
    public const string DisputeClosed = "charge.dispute.closed";
    public const string RefundFailed = "refund.failed";
    public const string RefundUpdated = "refund.updated";

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { ChargeRefunded, DisputeClosed, RefundFailed, RefundUpdated };

    public IReadOnlySet<string> EventTypes => Types;

    public async Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stripeEvent);
        var (takeBack, ignored) = stripeEvent.Type switch
        {
            ChargeRefunded => (true, null),
            DisputeClosed when stripeEvent.ObjectStatus == "lost" => (true, null),
            DisputeClosed when stripeEvent.ObjectStatus is "won" or "warning_closed" => (false, null),
            DisputeClosed => (false, $"The dispute closed as '{stripeEvent.ObjectStatus}': nothing changes."),
            _ when stripeEvent.ObjectStatus is "failed" or "canceled" => (false, null),
            _ => (false, $"The refund is '{stripeEvent.ObjectStatus}': nothing changes."),
        };
        if (ignored is not null)
        {
            return StripeEventHandlingResult.Ignored(null, ignored);
        }

        if (stripeEvent.PaymentIntentId is not { } paymentIntentId)
        {
            return StripeEventHandlingResult.Ignored(null, "The charge has no PaymentIntent: it paid for no purchase of this backend.");
        }

        var charge = stripeEvent.ChargeId is { } chargeId ? await gateway.GetChargeAsync(chargeId, cancellationToken).ConfigureAwait(false) : null;
        if (charge is null && stripeEvent.ChargeId is { } unknown && (!takeBack || stripeEvent.CustomerId is null))
        {
            // Stripe never forgets a charge its own signed event names: the key reads another Stripe account or mode.
            // A give-back decided on that, or a take-back whose account only the charge names (a dispute names no
            // customer), would be lost for good; failing keeps the event for a replay with the right key.
            throw new PaymentProviderException($"Stripe does not know charge {unknown}, which its own event names: the Stripe key is probably of another Stripe account or mode; nothing was given or taken back.");
        }

        var resolution = await resolver.ResolveAsync(stripeEvent.CustomerId ?? charge?.CustomerId, null, cancellationToken).ConfigureAwait(false);
        if (resolution.AccountId is not { } accountId)
        {
            return StripeEventHandlingResult.Ignored(null, resolution.Problem!);
        }

        var payment = new Payment(accountId, paymentIntentId, stripeEvent.ChargeId, stripeEvent.ObjectId ?? stripeEvent.Id);
        if (takeBack)
        {
            // A lost dispute is final; a refund is not.
            var final = stripeEvent.Type == DisputeClosed;
            return !final && charge is { IsTakenBack: false }
                ? StripeEventHandlingResult.Ignored(accountId, "Every refund of the charge has failed or been canceled since: nothing is taken back.")
                : await TakeBackAsync(payment, recheck: !final, cancellationToken).ConfigureAwait(false);
        }

        return charge switch
        {
            null => StripeEventHandlingResult.Ignored(accountId, "The event names no charge: nothing is given back."),
            { IsTakenBack: true } => StripeEventHandlingResult.Ignored(accountId, "A refund or a dispute still takes the charge back: nothing is given back."),
            _ => await GiveBackAsync(payment, cancellationToken).ConfigureAwait(false),
        };
    }

    private async Task<StripeEventHandlingResult> TakeBackAsync(Payment payment, bool recheck, CancellationToken cancellationToken)
    {
        var taken = await reversal.ReverseAsync(payment.AccountId, payment.PaymentIntentId, payment.Reference, cancellationToken).ConfigureAwait(false);
        var posting = taken.Posting;
        var result = posting.Kind switch
        {
            CreditPostingKind.Posted => StripeEventHandlingResult.Applied(payment.AccountId, $"Took back {-posting.Entry!.Amount} {posting.Entry.Currency} of unspent credit."),
            _ when taken.AddOnRevoked => StripeEventHandlingResult.Applied(payment.AccountId, "Revoked the add-on it paid for."),
            CreditPostingKind.AlreadyPosted => StripeEventHandlingResult.Ignored(payment.AccountId, "The credit it paid for was taken back before."),
            _ when taken.NothingApplied => StripeEventHandlingResult.Ignored(payment.AccountId, "It paid for nothing applied here (a subscription invoice, or a purchase whose event has not arrived yet): remembered, so such a purchase is taken back when it is granted."),
            _ => StripeEventHandlingResult.Ignored(payment.AccountId, posting.Note ?? "Nothing to take back."),
        };
        if (recheck && await StandingAsync(payment, cancellationToken).ConfigureAwait(false) is { IsTakenBack: false })
        {
            // The refund failed while it was being taken back; its own event may have found nothing to give back yet.
            var given = await reversal.GiveBackAsync(payment.AccountId, payment.PaymentIntentId, payment.Reference, cancellationToken).ConfigureAwait(false);
            return given.Changed
                ? StripeEventHandlingResult.Applied(payment.AccountId, "Every refund of the charge failed while it was taken back: given back again.")
                : result;
        }

        return result;
    }

    private async Task<StripeEventHandlingResult> GiveBackAsync(Payment payment, CancellationToken cancellationToken)
    {
        var given = await reversal.GiveBackAsync(payment.AccountId, payment.PaymentIntentId, payment.Reference, cancellationToken).ConfigureAwait(false);
        var result = given switch
        {
            { Posting: { Kind: CreditPostingKind.Posted, Entry: { } entry } } => StripeEventHandlingResult.Applied(payment.AccountId, $"Nothing takes the charge back now: gave back {entry.Amount} {entry.Currency} of credit."),
            { AddOnReinstated: true } => StripeEventHandlingResult.Applied(payment.AccountId, "Nothing takes the charge back now: gave back the add-on it paid for."),
            { EarlyReversalForgotten: true } => StripeEventHandlingResult.Applied(payment.AccountId, "Nothing takes the charge back now: its payment is no longer remembered as taken back."),
            _ => StripeEventHandlingResult.Ignored(payment.AccountId, given.Posting?.Note ?? "Nothing it paid for is taken back here."),
        };
        if (await StandingAsync(payment, cancellationToken).ConfigureAwait(false) is { IsTakenBack: true })
        {
            // Refunded again, or disputed, while this was given back: take it back again (numbered after the
            // reinstatement), as a give-back that saw the dispute first would have given nothing back.
            var taken = await reversal.ReverseAsync(payment.AccountId, payment.PaymentIntentId, payment.Reference, cancellationToken).ConfigureAwait(false);
            return taken.Changed
                ? StripeEventHandlingResult.Applied(payment.AccountId, "The charge was refunded or disputed again while it was given back: taken back again.")
                : result;
        }

        return result;
    }

    private async Task<ChargeStanding?> StandingAsync(Payment payment, CancellationToken cancellationToken) =>
        payment.ChargeId is { } chargeId ? await gateway.GetChargeAsync(chargeId, cancellationToken).ConfigureAwait(false) : null;

    private sealed record Payment(AccountId AccountId, string PaymentIntentId, string? ChargeId, string Reference);
}
