using Billing.Application.Accounts;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;

namespace Billing.Application.Credits;

/// <summary>What taking a payment back did: the credit posting, whether an add-on was revoked, and whether anything it bought had been applied at all.</summary>
public sealed record PurchaseTakeBack(CreditPosting Posting, bool AddOnRevoked, bool NothingApplied)
{
    /// <summary>Whether this call took something back (not a repeat of an earlier take-back).</summary>
    public bool Changed => Posting.Kind == CreditPostingKind.Posted || AddOnRevoked;
}

/// <summary>What giving a payment's purchase back did (its refund failed): the reinstatement entry, if any, and whether an add-on or a remembered early refund was undone.</summary>
public sealed record PurchaseGiveBack(CreditPosting? Posting, bool AddOnReinstated, bool EarlyReversalForgotten)
{
    /// <summary>Whether this call gave something back or forgot the early refund.</summary>
    public bool Changed => Posting?.Kind == CreditPostingKind.Posted || AddOnReinstated || EarlyReversalForgotten;
}

/// <summary>
/// Takes back what one payment bought (refund, lost dispute): the unspent credit of its grant, as one reversal entry
/// (<c>reversal:{paymentIntentId}</c>, so it happens once), and the add-on it paid for. Stripe does not order its
/// events, so the refund may be processed before the purchase's Checkout event: then nothing it bought is applied
/// yet, and the account remembers the payment (<see cref="BillingAccount.EarlyReversals"/>) so that the purchase is
/// granted already taken back (in the write that grants it). Each side writes first and checks the other's write after, so whichever is applied last takes the
/// purchase back, also when the two events are processed at the same time. A refund can fail days later (a closed
/// card, a bank's return): <see cref="GiveBackAsync"/> then undoes what the reversal did, and a later refund of the same
/// payment takes it back again (the ledger numbers reversals and reinstatements).
/// </summary>
public sealed class PurchaseReversal(CreditLedger ledger, IBillingAccountStore accounts, IncludedUnits included, TimeProvider time)
{
    /// <summary>The refund's side: take back what was applied; when nothing was, remember the payment and look again.</summary>
    public async Task<PurchaseTakeBack> ReverseAsync(AccountId accountId, string paymentIntentId, string reference, CancellationToken cancellationToken)
    {
        var taken = await TakeBackAsync(accountId, paymentIntentId, reference, firstReversal: false, cancellationToken).ConfigureAwait(false);
        if (!taken.NothingApplied)
        {
            return taken;
        }

        var now = time.GetUtcNow();
        await accounts.UpdateAsync(accountId, a => a.NoteEarlyReversal(paymentIntentId, now), cancellationToken).ConfigureAwait(false);
        return await TakeBackAsync(accountId, paymentIntentId, reference, firstReversal: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The purchase's side, after granting: when the payment was taken back before, take back what was granted (null: it
    /// was not, or it was given back). <paramref name="grantedTakenBack"/>: this delivery read the payment as taken back
    /// early and granted the purchase already taken back; should the refund have failed since that read, it is given back.
    /// <paramref name="grantedBefore"/>: this delivery granted nothing new, so an earlier one may have granted a pack
    /// taken back and stopped before this check, while the refund failed between its read and its grant: then it is
    /// given back here.
    /// </summary>
    public async Task<PurchaseTakeBack?> TakeBackIfReversedEarlyAsync(AccountId accountId, string? paymentIntentId, string reference, bool grantedTakenBack, bool grantedBefore, CancellationToken cancellationToken)
    {
        if (paymentIntentId is null)
        {
            return null;
        }

        PurchaseTakeBack? taken = null;
        if (await WasReversedEarlyAsync(accountId, paymentIntentId, cancellationToken).ConfigureAwait(false))
        {
            // The early refund's reversal is the grant's first (the grant came after it): one reinstated since was given
            // back by that refund's failure (this read is then stale), and a later refund takes it back by its own event.
            taken = await TakeBackAsync(accountId, paymentIntentId, reference, firstReversal: true, cancellationToken).ConfigureAwait(false);
            if (await WasReversedEarlyAsync(accountId, paymentIntentId, cancellationToken).ConfigureAwait(false))
            {
                return taken;
            }
        }
        else if (!grantedTakenBack && !(grantedBefore && await WasGrantedTakenBackAndNeverGivenBackAsync(accountId, paymentIntentId, cancellationToken).ConfigureAwait(false)))
        {
            return null;
        }

        // The refund failed meanwhile: its give-back forgot the payment before it looked for a grant, so it may have
        // found none yet. Give back what was taken (once: the reinstatement is keyed).
        await GiveBackAsync(accountId, paymentIntentId, reference, cancellationToken).ConfigureAwait(false);
        return taken;
    }

    /// <summary>
    /// The failed refund's side (or a won dispute's): the payment is no longer taken back, so forget it as an early
    /// reversal, give back the credit the reversal took (unless the grant has expired since) and the add-on it revoked.
    /// Each step happens once.
    /// </summary>
    public async Task<PurchaseGiveBack> GiveBackAsync(AccountId accountId, string paymentIntentId, string reference, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        var forgotten = account?.WasReversedEarly(paymentIntentId) == true;
        if (forgotten)
        {
            // First, so a purchase granted from now on is not taken back; what was taken back before is given back below.
            account = await accounts.UpdateAsync(accountId, a => a.ForgetEarlyReversal(paymentIntentId), cancellationToken).ConfigureAwait(false);
        }

        CreditPosting? posting = null;
        if ((await ledger.ReadAsync(accountId, cancellationToken).ConfigureAwait(false)).Grants.FirstOrDefault(g => g.PaymentIntentId == paymentIntentId) is { ReversedAt: not null } grant)
        {
            posting = await ledger.PostAsync(accountId, CreditOperation.Reinstate(paymentIntentId, reference, grant.Reinstatements), cancellationToken).ConfigureAwait(false);
        }

        var addOns = account?.AddOns.Where(a => a.PaymentIntentId == paymentIntentId).ToList() ?? [];
        var reinstate = addOns.Any(a => a.RevokedAt is not null);
        if (reinstate)
        {
            account = await accounts.UpdateAsync(accountId, a => a.ReinstateAddOn(paymentIntentId), cancellationToken).ConfigureAwait(false);
        }

        var now = time.GetUtcNow();
        foreach (var meter in addOns.Select(a => a.Meter).Distinct())
        {
            await included.RefreshAsync(account!, meter, now, cancellationToken).ConfigureAwait(false);
        }

        return new PurchaseGiveBack(posting, reinstate, forgotten);
    }

    /// <summary>
    /// Whether the payment's pack was granted already taken back (its reversal made in the grant's own write, at its
    /// instant) and nothing has given it back since. With the early refund forgotten, only its failure did that (or the
    /// note's retention ran out, after which a purchase is granted as if never refunded): the failure found no grant then.
    /// An add-on needs no such check: it is revoked at once only on the account as stored, in the write that grants it.
    /// </summary>
    private async Task<bool> WasGrantedTakenBackAndNeverGivenBackAsync(AccountId accountId, string paymentIntentId, CancellationToken cancellationToken) =>
        (await ledger.ReadAsync(accountId, cancellationToken).ConfigureAwait(false)).Grants.FirstOrDefault(g => g.PaymentIntentId == paymentIntentId)
            is { ReversedAt: { } reversedAt, Reinstatements: 0 } grant && reversedAt == grant.GrantedAt;

    /// <summary>Takes back the grant's next reversal, or with <paramref name="firstReversal"/> its first only.</summary>
    private async Task<PurchaseTakeBack> TakeBackAsync(AccountId accountId, string paymentIntentId, string reference, bool firstReversal, CancellationToken cancellationToken)
    {
        var reinstatements = firstReversal ? 0 : (await ledger.ReadAsync(accountId, cancellationToken).ConfigureAwait(false)).Grants.FirstOrDefault(g => g.PaymentIntentId == paymentIntentId)?.Reinstatements ?? 0;
        var posting = await ledger.PostAsync(accountId, CreditOperation.Reverse(paymentIntentId, reference, reinstatements), cancellationToken).ConfigureAwait(false);
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        var addOns = account?.AddOns.Where(a => a.PaymentIntentId == paymentIntentId).ToList() ?? [];
        var revoke = addOns.Any(a => a.RevokedAt is null);
        var now = time.GetUtcNow();
        if (revoke)
        {
            account = await accounts.UpdateAsync(accountId, a => a.RevokeAddOn(paymentIntentId, now), cancellationToken).ConfigureAwait(false);
        }

        foreach (var meter in addOns.Select(a => a.Meter).Distinct())
        {
            // Also when revoked by an earlier delivery that stopped before this step: it changes nothing once done.
            await included.RefreshAsync(account!, meter, now, cancellationToken).ConfigureAwait(false);
        }

        var granted = posting.Book.Grants.Any(g => g.PaymentIntentId == paymentIntentId) || addOns.Count > 0;
        return new PurchaseTakeBack(posting, revoke, NothingApplied: !granted);
    }

    private async Task<bool> WasReversedEarlyAsync(AccountId accountId, string paymentIntentId, CancellationToken cancellationToken) =>
        (await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false))?.WasReversedEarly(paymentIntentId) == true;
}
