using Billing.Application.Accounts;
using Billing.Application.Payments;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Subscriptions;

/// <summary>
/// Brings an account in line with a subscription as Stripe has it now (never with an event's copy of it), so any
/// delivery order, repetition or retry ends in Stripe's current state. Idempotent: applying the same read twice is
/// a no-op, an older read never overwrites a newer one (<see cref="BillingAccount.ApplySubscriptionSnapshot"/>).
/// Two live subscriptions for one account (e.g. two Checkout Sessions completed) are settled at once: the newer one
/// is refunded in full and canceled, under idempotency keys derived from its id, and recorded on the account.
/// The account's live subscription that Stripe answers "no such subscription" for is ended as a deletion is
/// (<see cref="EndNotFoundAsync"/>) when Stripe still knows its customer; never when it does not know the customer
/// either (a key of another Stripe account or mode), nor on a failure to reach Stripe or a refused key, which throw.
/// </summary>
public sealed partial class StripeSubscriptionSync(
    IStripeSubscriptionSource stripe,
    IStripeBillingGateway gateway,
    SubscriptionSnapshotApplier applier,
    IBillingAccountStore accounts,
    TimeProvider time,
    ILogger<StripeSubscriptionSync> logger)
{
    /// <summary>How often a subscription is read again to settle <see cref="SubscriptionSnapshotOutcome.SameInstantConflict"/> before the caller is told to retry later.</summary>
    private const int MaxConflictReads = 3;

    /// <summary>
    /// Reads the subscription from Stripe and applies it to the account (opened when it does not exist yet); when Stripe
    /// has no such subscription, ends it if it is the account's live one (<see cref="EndNotFoundAsync"/>).
    /// </summary>
    public async Task<SubscriptionSyncResult> SyncAsync(AccountId accountId, string subscriptionId, CancellationToken cancellationToken)
    {
        var snapshot = await stripe.GetSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false);
        return snapshot is null
            ? await EndNotFoundAsync(accountId, subscriptionId, cancellationToken).ConfigureAwait(false)
            : await ApplyAsync(accountId, snapshot, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies a snapshot just read from Stripe. Two different reads dated within the clock skew of each other are
    /// settled by reading again, a bounded number of times; a conflict with the account's live subscription is settled
    /// by reading that one again (it may have ended); when the account's subscription is over, a live one of the same
    /// customer (a re-subscription) takes its place.
    /// </summary>
    public async Task<SubscriptionSyncResult> ApplyAsync(AccountId accountId, SubscriptionSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var opened = await accounts.GetOrCreateAsync(accountId, cancellationToken).ConfigureAwait(false);
        var result = await ApplyOnceAsync(accountId, snapshot, opened, cancellationToken).ConfigureAwait(false);
        var duplicateResolved = false;
        if (result.Outcome == SubscriptionSnapshotOutcome.ConflictsWithLiveSubscription)
        {
            (result, duplicateResolved) = await ReconcileAsync(accountId, snapshot, result, cancellationToken).ConfigureAwait(false);
        }

        var account = result.Account;
        if (account.Subscription is { IsLive: false } over && over.SubscriptionId == snapshot.SubscriptionId)
        {
            account = await AdoptLiveReplacementAsync(accountId, over, cancellationToken).ConfigureAwait(false) ?? account;
        }

        return new SubscriptionSyncResult(duplicateResolved ? SubscriptionSyncOutcome.DuplicateResolved : Map(result.Outcome), account);
    }

    /// <summary>Applies <paramref name="snapshot"/>, deciding first on <paramref name="read"/> when the caller has just read the account (no read of its own then).</summary>
    private async Task<SubscriptionSnapshotResult> ApplyOnceAsync(AccountId accountId, SubscriptionSnapshot snapshot, BillingAccount? read, CancellationToken cancellationToken)
    {
        var result = read is null
            ? await applier.ApplyAsync(accountId, snapshot, cancellationToken).ConfigureAwait(false)
            : await applier.ApplyAsync(accountId, snapshot, read, cancellationToken).ConfigureAwait(false);
        for (var reads = 0; result.Outcome == SubscriptionSnapshotOutcome.SameInstantConflict; reads++)
        {
            if (reads == MaxConflictReads)
            {
                throw new InvalidOperationException($"Subscription {snapshot.SubscriptionId} kept changing while it was read {MaxConflictReads} times; retry later.");
            }

            // Two different states dated too close to be ordered: a read that begins now, after the stored one was
            // read, is at least as new (it may conflict again only if another write landed meanwhile).
            var stored = result.Account.Subscription!.StripeStateAsOf;
            var fresh = await stripe.GetSubscriptionAsync(snapshot.SubscriptionId, cancellationToken).ConfigureAwait(false);
            if (fresh is null)
            {
                return result with { Outcome = SubscriptionSnapshotOutcome.Stale };
            }

            result = await applier.ApplyAsync(accountId, fresh.ReadAfter(stored), cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<(SubscriptionSnapshotResult Result, bool DuplicateResolved)> ReconcileAsync(
        AccountId accountId, SubscriptionSnapshot incoming, SubscriptionSnapshotResult conflict, CancellationToken cancellationToken)
    {
        var currentId = conflict.Account.Subscription!.SubscriptionId;
        var current = await stripe.GetSubscriptionAsync(currentId, cancellationToken).ConfigureAwait(false);
        if (current is not null)
        {
            await ApplyOnceAsync(accountId, current, read: null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await EndNotFoundAsync(accountId, currentId, cancellationToken).ConfigureAwait(false); // then the other one no longer conflicts
        }

        // The incoming snapshot may predate what made this conflict (read while live, then the worker stalled while the
        // customer canceled it and subscribed again): it is read again too, and nothing is refunded or canceled on a
        // copy. A subscription Stripe no longer has is not a duplicate to resolve.
        var incomingNow = await stripe.GetSubscriptionAsync(incoming.SubscriptionId, cancellationToken).ConfigureAwait(false);
        var retried = await ApplyOnceAsync(accountId, incomingNow ?? incoming, read: null, cancellationToken).ConfigureAwait(false);
        if (retried.Outcome != SubscriptionSnapshotOutcome.ConflictsWithLiveSubscription || current is null || incomingNow is null)
        {
            if (retried.Outcome == SubscriptionSnapshotOutcome.ConflictsWithLiveSubscription)
            {
                LogTwoLiveSubscriptions(accountId.Value, currentId, incoming.SubscriptionId);
            }

            return (retried, false);
        }

        // Both still live in Stripe: the newer one goes, whichever of them the account reflects now.
        var (kept, duplicate) = IsNewer(incomingNow, current) ? (current, incomingNow) : (incomingNow, current);
        await ResolveDuplicateAsync(accountId, kept.SubscriptionId, duplicate.SubscriptionId, cancellationToken).ConfigureAwait(false);

        var result = retried;
        foreach (var subscriptionId in new[] { duplicate.SubscriptionId, kept.SubscriptionId })
        {
            if (await stripe.GetSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false) is { } fresh)
            {
                result = await ApplyOnceAsync(accountId, fresh, read: null, cancellationToken).ConfigureAwait(false);
            }
        }

        return (result, true);
    }

    /// <summary>
    /// Stripe answered a read of <paramref name="subscriptionId"/> with "no such subscription". When that is the account's
    /// live subscription, the account applies it as ended (<see cref="SubscriptionSnapshot.NoLongerInStripe"/>) through
    /// the applier, as it applies a deletion's read: the plan is no longer granted, the usage period ends now, and the
    /// account is no longer due for the missed-event sweep. Any other subscription id changes nothing.
    /// The subscription is read once more after the account was read: that answer began after the account's state was
    /// stored, so it is newer than it whatever the instances' clocks say (<see cref="SubscriptionSnapshot.ReadAfter"/>);
    /// the write is an optimistic-concurrency update decided again on a state stored meanwhile, so a read of Stripe a
    /// webhook stored after it wins, an end already stored is a duplicate, and a later read that finds the subscription
    /// again replaces it. A live replacement is not looked for here (the customer may be deleted): its own events or a
    /// re-sync apply one.
    /// Before anything is ended the subscription's customer is read: Stripe still answers a customer that was deleted, so
    /// "no such customer" too means the key reads another Stripe account or mode (which answers so for every id), not
    /// that the subscription is gone: nothing is written (<see cref="SubscriptionSyncOutcome.CustomerUnknownInStripe"/>,
    /// logged as an error); a failure to read the customer throws, as every other failure to read Stripe does.
    /// </summary>
    private async Task<SubscriptionSyncResult> EndNotFoundAsync(AccountId accountId, string subscriptionId, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        var stored = account?.Subscription is { IsLive: true } live && live.SubscriptionId == subscriptionId ? live : null;
        var readAt = time.GetUtcNow();
        var again = stored is null ? null : await stripe.GetSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false);

        // Also for a subscription that is not the live one (a new one's events, an old one's: nothing to end): when Stripe
        // does not know the customer either, the answer says nothing about the subscription, and a new one would be
        // ignored for good.
        if (again is null && (stored?.CustomerId ?? account?.StripeCustomerId) is { } customerId
            && await stripe.GetCustomerAsync(customerId, cancellationToken).ConfigureAwait(false) is null)
        {
            LogCustomerUnknown(accountId.Value, subscriptionId, customerId);
            return new SubscriptionSyncResult(SubscriptionSyncOutcome.CustomerUnknownInStripe, account);
        }

        if (stored is null)
        {
            return new SubscriptionSyncResult(SubscriptionSyncOutcome.NotFoundInStripe, null);
        }

        var snapshot = again ?? SubscriptionSnapshot.NoLongerInStripe(stored, readAt);
        var result = await ApplyOnceAsync(accountId, snapshot.ReadAfter(stored.StripeStateAsOf), read: null, cancellationToken).ConfigureAwait(false);
        if (again is not null || result.Outcome != SubscriptionSnapshotOutcome.Applied)
        {
            return new SubscriptionSyncResult(Map(result.Outcome), result.Account);
        }

        LogEndedNotFound(accountId.Value, subscriptionId, stored.CustomerId, stored.Status.Value, stored.PlanCode?.Value, stored.StripeStateAsOf);
        return new SubscriptionSyncResult(SubscriptionSyncOutcome.EndedNotFoundInStripe, result.Account);
    }

    /// <summary>Refund first, record, cancel last: until the cancel, the conflict shows again and a retry repeats every step (each is idempotent).</summary>
    private async Task ResolveDuplicateAsync(AccountId accountId, string keptId, string duplicateId, CancellationToken cancellationToken)
    {
        var refunded = await gateway.RefundLatestInvoicePaymentAsync(duplicateId, PaymentIdempotencyKeys.DuplicateSubscriptionRefund(duplicateId), cancellationToken).ConfigureAwait(false);
        var resolution = new DuplicateSubscriptionResolution
        {
            SubscriptionId = duplicateId,
            KeptSubscriptionId = keptId,
            Refunded = refunded,
            ResolvedAt = time.GetUtcNow(),
        };
        await accounts.UpdateAsync(accountId, a => a.RecordDuplicateResolved(resolution), cancellationToken).ConfigureAwait(false);
        await gateway.CancelSubscriptionAsync(duplicateId, PaymentIdempotencyKeys.DuplicateSubscriptionCancel(duplicateId), cancellationToken).ConfigureAwait(false);
        LogDuplicateResolved(accountId.Value, duplicateId, keptId, refunded?.MinorUnits ?? 0, refunded?.Currency.ToString() ?? "-");
    }

    /// <summary>Stripe's creation time orders them (the period start when unknown); the id settles a tie.</summary>
    private static bool IsNewer(SubscriptionSnapshot a, SubscriptionSnapshot b)
    {
        var order = Nullable.Compare(a.Created ?? a.CurrentPeriodStart, b.Created ?? b.CurrentPeriodStart);
        return order != 0 ? order > 0 : string.CompareOrdinal(a.SubscriptionId, b.SubscriptionId) > 0;
    }

    private async Task<BillingAccount?> AdoptLiveReplacementAsync(AccountId accountId, SubscriptionState over, CancellationToken cancellationToken)
    {
        // Of two live ones, the one the duplicate rule keeps (the older): adopting the other would switch the account
        // again when their conflict is resolved.
        var candidates = await stripe.ListCustomerSubscriptionsAsync(over.CustomerId, includeEnded: false, cancellationToken).ConfigureAwait(false);
        var replacement = candidates
            .Where(s => s.SubscriptionId != over.SubscriptionId && s.Rank() == SubscriptionSnapshotRanking.MayGrantAccess)
            .Aggregate((SubscriptionSnapshot?)null, (oldest, s) => oldest is null || IsNewer(oldest, s) ? s : oldest);
        if (replacement is null)
        {
            return null;
        }

        var adopted = await ApplyOnceAsync(accountId, replacement, read: null, cancellationToken).ConfigureAwait(false);
        LogReplacement(accountId.Value, over.SubscriptionId, replacement.SubscriptionId, adopted.Outcome);
        return adopted.Account;
    }

    private static SubscriptionSyncOutcome Map(SubscriptionSnapshotOutcome outcome) => outcome switch
    {
        SubscriptionSnapshotOutcome.Applied => SubscriptionSyncOutcome.Applied,
        SubscriptionSnapshotOutcome.Duplicate => SubscriptionSyncOutcome.AlreadyCurrent,
        SubscriptionSnapshotOutcome.Stale => SubscriptionSyncOutcome.NewerStateKept,
        SubscriptionSnapshotOutcome.CustomerMismatch => SubscriptionSyncOutcome.CustomerMismatch,
        SubscriptionSnapshotOutcome.SupersededByCurrent => SubscriptionSyncOutcome.SupersededByCurrent,
        SubscriptionSnapshotOutcome.ConflictsWithLiveSubscription => SubscriptionSyncOutcome.ConflictsWithLiveSubscription,
        _ => throw new InvalidOperationException($"Unexpected snapshot outcome {outcome}."),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} had two live subscriptions: {DuplicateSubscriptionId} canceled and refunded ({RefundedMinorUnits} {Currency}), {KeptSubscriptionId} kept")]
    private partial void LogDuplicateResolved(string accountId, string duplicateSubscriptionId, string keptSubscriptionId, long refundedMinorUnits, string currency);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId} has two live subscriptions in Stripe ({CurrentSubscriptionId} kept, {OtherSubscriptionId} refused) and one could not be read again: re-sync the account")]
    private partial void LogTwoLiveSubscriptions(string accountId, string currentSubscriptionId, string otherSubscriptionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe has no subscription {SubscriptionId} (customer {CustomerId}), account {AccountId}'s live one ({Status}, plan {PlanCode}, last read {StripeStateAsOf:O}): ended on the account as a deletion is")]
    private partial void LogEndedNotFound(string accountId, string subscriptionId, string customerId, string status, string? planCode, DateTimeOffset stripeStateAsOf);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe has neither subscription {SubscriptionId} of account {AccountId} nor its customer {CustomerId}: nothing changed. The Stripe secret key is probably of another Stripe account or mode (check Stripe:SecretKey)")]
    private partial void LogCustomerUnknown(string accountId, string subscriptionId, string customerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: subscription {EndedSubscriptionId} is over; live subscription {ReplacementSubscriptionId} of the same customer: {Outcome}")]
    private partial void LogReplacement(string accountId, string endedSubscriptionId, string replacementSubscriptionId, SubscriptionSnapshotOutcome outcome);
}
