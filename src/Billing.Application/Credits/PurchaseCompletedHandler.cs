using Billing.Application.Accounts;
using Billing.Application.Catalog;
using Billing.Application.Entitlements;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Credits;

/// <summary>
/// A completed payment-mode Checkout Session (<c>checkout.session.completed</c> or
/// <c>checkout.session.async_payment_succeeded</c>): grants what it sold once it is <c>paid</c>, on the terms its
/// metadata carries from the Checkout (<see cref="PurchaseTerms"/>; the catalog's for sessions that carry none). The grant id is
/// <c>cs:{sessionId}</c>, so however often and in whatever order the two events arrive, it is granted once; an
/// unpaid session (a delayed payment still in flight, or one that failed) grants nothing. One whose payment was refunded
/// or lost in a dispute before this event was processed is granted already taken back, in the one write that grants it
/// (the credit's grant with its reversal, the add-on revoked), so no delivery that stops half-way leaves it usable
/// (<see cref="PurchaseReversal"/>). A session whose terms are in its metadata but do not read back
/// (<see cref="PurchaseTerms.Unreadable"/>) grants nothing and is recorded ignored with an error log (a paid purchase waits for an operator): retrying the same
/// stored event cannot mend it, and granting the catalog's amount instead could grant something other than was paid for.
/// So does a paid session for a purchase its metadata does not describe and the catalog does not sell (one started
/// before terms were written whose code was withdrawn since): nothing is granted, and the error says a payment waits (a warning when it was refunded or disputed before the event).
/// A session that charged (<c>amount_total</c>, <c>currency</c>) other than the price it was sold at
/// (<see cref="PurchaseTerms.PaidOtherThan"/>) is granted on its terms, with a remark in the note and an error (a warning
/// when the session carries no price of its own and the catalog may have been repriced since).
/// </summary>
public sealed partial class PurchaseCompletedHandler(
    PurchaseCatalog catalog,
    PlanCatalog plans,
    CreditLedger ledger,
    IBillingAccountStore accounts,
    AccountEntitlements entitlements,
    PurchaseReversal reversal,
    IncludedUnits included,
    TimeProvider time,
    ILogger<PurchaseCompletedHandler> logger) : ICheckoutPaymentHandler
{
    public const string Paid = "paid";

    /// <summary>Grants what <paramref name="session"/> sold, deciding on <paramref name="account"/>: the account as the caller has just read it.</summary>
    public async Task<StripeEventHandlingResult> HandleAsync(BillingAccount account, StripeEventPayload session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(session);
        var accountId = account.Id;
        if (session.PaymentStatus != Paid)
        {
            return StripeEventHandlingResult.Ignored(accountId, $"Payment status is '{session.PaymentStatus}': nothing is granted until Stripe reports the payment (checkout.session.async_payment_succeeded).");
        }

        if (session.ObjectId is not { } sessionId)
        {
            return StripeEventHandlingResult.Ignored(accountId, "Checkout Session without an id.");
        }

        var grantId = "cs:" + sessionId;
        var now = time.GetUtcNow();

        // Granted also when its payment was refunded or lost in a dispute before this event was processed, already
        // taken back: the purchase is on record (a grant and its reversal, a revoked add-on), so a refund that fails
        // later gives it back like any other. Checked again after the grant: the refund may have been noted or have
        // failed meanwhile, or a grant found already made may come from a delivery that stopped before this check (the
        // take-back is keyed, so it takes back only what is still there).
        var reversedEarly = account.WasReversedEarly(session.PaymentIntentId);
        var granted = await GrantAsync(accountId, account, reversedEarly, session, sessionId, grantId, now, cancellationToken).ConfigureAwait(false);
        if (await reversal.TakeBackIfReversedEarlyAsync(accountId, session.PaymentIntentId, sessionId, grantedTakenBack: granted.IsApplied && reversedEarly, grantedBefore: !granted.IsApplied, cancellationToken).ConfigureAwait(false) is { } taken)
        {
            const string Before = "Its payment was refunded or lost in a dispute before";
            return (granted.IsApplied || taken.Changed, taken.NothingApplied) switch
            {
                (true, _) => StripeEventHandlingResult.Applied(accountId, $"{granted.Note} {Before}, so it was taken back at once."),
                (false, false) => StripeEventHandlingResult.Ignored(accountId, $"{Before}: it was granted and taken back before."),
                _ => granted, // nothing granted (e.g. not sold any more): its own note says why
            };
        }

        return granted;
    }

    private async Task<StripeEventHandlingResult> GrantAsync(AccountId accountId, BillingAccount before, bool reversedEarly, StripeEventPayload session, string sessionId, string grantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (session.Purchase is { Unreadable: { } unreadable } terms)
        {
            GrantsNothing(reversedEarly, sessionId, accountId, terms, () => LogUnreadableTerms(sessionId, accountId.Value, terms.Kind, terms.Code, unreadable));
            return StripeEventHandlingResult.Ignored(
                accountId,
                $"Session {sessionId} sells {terms.Kind} {terms.Code}, but what it grants does not read back from its metadata ({unreadable}): nothing is granted rather than a guess. Check the payment in Stripe, then grant it by hand (a credit adjustment) or refund it.");
        }

        var sold = session.Purchase?.Resolve(catalog);
        var paidOther = sold?.PaidOtherThan(session.AmountTotal, session.Currency);
        switch (sold)
        {
            case { Kind: PurchaseKinds.CreditPack, Credit: { } credit } pack:
                var posting = await ledger.PostAsync(
                    accountId,
                    CreditOperation.Grant(grantId, credit.Currency, credit.MinorUnits, pack.ExpiresAt(session.Created, now), "pack:" + pack.Code, session.PaymentIntentId, sessionId, takenBack: reversedEarly),
                    cancellationToken).ConfigureAwait(false);
                return posting.Kind == CreditPostingKind.Posted
                    ? StripeEventHandlingResult.Applied(accountId, $"Granted {credit.MinorUnits} {credit.Currency} of credit ({pack.Code}).{PaidOther(accountId, sessionId, pack, paidOther, session.Purchase?.Price is not null)}")
                    : StripeEventHandlingResult.Ignored(accountId, $"Credit of session {sessionId} was granted before.");
            case { Kind: PurchaseKinds.AddOn, Meter: { } meter, Units: { } units } addOn:
                if (before.AddOns.Any(a => a.GrantId == grantId))
                {
                    await included.RefreshAsync(before, meter, now, cancellationToken).ConfigureAwait(false); // in case the first delivery stopped before it
                    return StripeEventHandlingResult.Ignored(accountId, $"Add-on of session {sessionId} was granted before.");
                }

                var granted = await accounts.UpdateAsync(
                    accountId,
                    account => account.GrantAddOn(new MeterAddOn
                    {
                        GrantId = grantId,
                        Code = addOn.Code,
                        Meter = meter,
                        Units = units,
                        GrantedAt = now,
                        ExpiresAt = addOn.ExpiresAt(session.Created, now),
                        PeriodKey = plans.KindOf(meter) == MeterKind.Consumption && addOn.ExpiresAfter is null ? entitlements.Evaluate(account, now).PeriodKey : null,
                        PaymentIntentId = session.PaymentIntentId,
                        RevokedAt = account.WasReversedEarly(session.PaymentIntentId) ? now : null, // decided in the write that grants it
                    }),
                    cancellationToken).ConfigureAwait(false);
                await included.RefreshAsync(granted, meter, now, cancellationToken).ConfigureAwait(false); // usage counted before it is billed with it
                return StripeEventHandlingResult.Applied(accountId, $"Add-on {addOn.Code}: +{units} {meter}.{PaidOther(accountId, sessionId, addOn, paidOther, session.Purchase?.Price is not null)}");
            default:
                if (session.Purchase is { } unsold)
                {
                    // Paid for something this backend sold, which nothing grants any more.
                    GrantsNothing(reversedEarly, sessionId, accountId, unsold, () => LogNotSold(sessionId, accountId.Value, unsold.Kind, unsold.Code));
                }

                return StripeEventHandlingResult.Ignored(accountId, $"Payment-mode session sells '{session.Purchase?.Kind}' '{session.Purchase?.Code}', which it does not describe and the catalog does not sell: nothing was granted, and an ignored event is final (never applied again), so a paid one waits for an operator to grant it by hand or refund it.");
        }
    }

    /// <summary>
    /// A paid purchase that grants nothing waits for an operator (<paramref name="logWaiting"/>, an error), unless its
    /// payment was refunded or disputed before this event: then nothing is owed either way, a warning.
    /// </summary>
    private void GrantsNothing(bool reversedEarly, string sessionId, AccountId accountId, PurchaseTerms terms, Action logWaiting)
    {
        if (reversedEarly)
        {
            LogNothingWaits(sessionId, accountId.Value, terms.Kind, terms.Code);
        }
        else
        {
            logWaiting();
        }
    }

    /// <summary>
    /// The note's remark (and one log line) when what the session charged is not what it was sold at; granted on its terms
    /// anyway. No client sets the charge (Stripe charges the price the session names), so against the price frozen at
    /// Checkout a difference means the catalog's amount and the Stripe price disagree, and every sale charges so until
    /// someone fixes one of them: an error. Against the catalog's price now (a session frozen before prices were written)
    /// it may be a repricing since: a warning.
    /// </summary>
    private string PaidOther(AccountId accountId, string sessionId, PurchaseTerms sold, string? paidOther, bool priceFrozen)
    {
        if (paidOther is null)
        {
            return "";
        }

        if (priceFrozen)
        {
            LogPaidOtherThanSold(sessionId, accountId.Value, sold.Kind, sold.Code, paidOther);
        }
        else
        {
            LogPaidOtherThanPrice(sessionId, accountId.Value, sold.Kind, sold.Code, paidOther);
        }

        return $" Its session charged other than it was sold at ({paidOther}): granted on its terms; check the catalog's amount against the Stripe price.";
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Checkout Session {SessionId} of account {AccountId} for {Purchase} {Code} charged other than it was sold at ({PaidAgainstPrice}); granted on its terms. The catalog's amount and the Stripe price disagree: every sale charges so until one of them is fixed (and the buyer may be owed a refund)")]
    private partial void LogPaidOtherThanSold(string sessionId, string accountId, string purchase, string code, string paidAgainstPrice);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkout Session {SessionId} of account {AccountId} for {Purchase} {Code} charged other than the catalog's price now ({PaidAgainstPrice}); granted on its terms (the session carries no price of its own: the catalog may have been repriced since)")]
    private partial void LogPaidOtherThanPrice(string sessionId, string accountId, string purchase, string code, string paidAgainstPrice);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checkout Session {SessionId} of account {AccountId} was paid for {Purchase} {Code}, which its metadata does not describe and the catalog does not sell (withdrawn since, or not a purchase this build sells); nothing was granted: a paid purchase waits for an operator (grant it by hand or refund it)")]
    private partial void LogNotSold(string sessionId, string accountId, string purchase, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Checkout Session {SessionId} of account {AccountId} sells {Purchase} {Code}, but its metadata's terms do not read back ({UnreadableKeys}); nothing was granted: a paid purchase waits for an operator (grant it by hand or refund it)")]
    private partial void LogUnreadableTerms(string sessionId, string accountId, string purchase, string code, string unreadableKeys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkout Session {SessionId} of account {AccountId} for {Purchase} {Code} grants nothing (its terms do not read back, or the catalog does not sell it), but its payment was refunded or disputed before this event: nothing waits for an operator")]
    private partial void LogNothingWaits(string sessionId, string accountId, string purchase, string code);
}
