using Billing.Application.Accounts;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Subscriptions;

/// <summary>
/// Brings an account in line with a subscription as Stripe has it now (never with an event's copy of it), so any
/// delivery order, repetition or retry ends in Stripe's current state. Idempotent: applying the same read twice is
/// a no-op, an older read never overwrites a newer one (<see cref="BillingAccount.ApplySubscriptionSnapshot"/>).
/// </summary>
public sealed partial class StripeSubscriptionSync(
    IStripeSubscriptionSource stripe,
    SubscriptionSnapshotApplier applier,
    IBillingAccountStore accounts,
    ILogger<StripeSubscriptionSync> logger)
{
    /// <summary>Reads the subscription from Stripe and applies it to the account (opened when it does not exist yet).</summary>
    public async Task<SubscriptionSyncResult> SyncAsync(AccountId accountId, string subscriptionId, CancellationToken cancellationToken)
    {
        var snapshot = await stripe.GetSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false);
        return snapshot is null
            ? new SubscriptionSyncResult(SubscriptionSyncOutcome.NotFoundInStripe, null)
            : await ApplyAsync(accountId, snapshot, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies a snapshot just read from Stripe. Two changes within one instant are settled by reading again; a
    /// conflict with the account's live subscription is settled by reading that one again (it may have ended); when
    /// the account's subscription is over, a live one of the same customer (a re-subscription) takes its place.
    /// </summary>
    public async Task<SubscriptionSyncResult> ApplyAsync(AccountId accountId, SubscriptionSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await accounts.GetOrCreateAsync(accountId, cancellationToken).ConfigureAwait(false);
        var result = await ApplyOnceAsync(accountId, snapshot, cancellationToken).ConfigureAwait(false);
        if (result.Outcome == SubscriptionSnapshotOutcome.ConflictsWithLiveSubscription)
        {
            result = await ReconcileAsync(accountId, snapshot, result, cancellationToken).ConfigureAwait(false);
        }

        var account = result.Account;
        if (account.Subscription is { IsLive: false } over && over.SubscriptionId == snapshot.SubscriptionId)
        {
            account = await AdoptLiveReplacementAsync(accountId, over, cancellationToken).ConfigureAwait(false) ?? account;
        }

        return new SubscriptionSyncResult(Map(result.Outcome), account);
    }

    private async Task<SubscriptionSnapshotResult> ApplyOnceAsync(AccountId accountId, SubscriptionSnapshot snapshot, CancellationToken cancellationToken)
    {
        var result = await applier.ApplyAsync(accountId, snapshot, cancellationToken).ConfigureAwait(false);
        if (result.Outcome != SubscriptionSnapshotOutcome.SameInstantConflict)
        {
            return result;
        }

        // Two different states with the same time: a new read is newer than both.
        var fresh = await stripe.GetSubscriptionAsync(snapshot.SubscriptionId, cancellationToken).ConfigureAwait(false);
        if (fresh is null)
        {
            return result with { Outcome = SubscriptionSnapshotOutcome.Stale };
        }

        result = await applier.ApplyAsync(accountId, fresh, cancellationToken).ConfigureAwait(false);
        return result.Outcome == SubscriptionSnapshotOutcome.SameInstantConflict
            ? throw new InvalidOperationException($"Subscription {snapshot.SubscriptionId} read twice at the same instant with different content; retry later.")
            : result;
    }

    private async Task<SubscriptionSnapshotResult> ReconcileAsync(AccountId accountId, SubscriptionSnapshot incoming, SubscriptionSnapshotResult conflict, CancellationToken cancellationToken)
    {
        var currentId = conflict.Account.Subscription!.SubscriptionId;
        var current = await stripe.GetSubscriptionAsync(currentId, cancellationToken).ConfigureAwait(false);
        if (current is not null)
        {
            await ApplyOnceAsync(accountId, current, cancellationToken).ConfigureAwait(false);
        }

        var retried = await ApplyOnceAsync(accountId, incoming, cancellationToken).ConfigureAwait(false);
        if (retried.Outcome == SubscriptionSnapshotOutcome.ConflictsWithLiveSubscription)
        {
            LogTwoLiveSubscriptions(accountId.Value, currentId, incoming.SubscriptionId);
        }

        return retried;
    }

    private async Task<BillingAccount?> AdoptLiveReplacementAsync(AccountId accountId, SubscriptionState over, CancellationToken cancellationToken)
    {
        var candidates = await stripe.ListCustomerSubscriptionsAsync(over.CustomerId, includeEnded: false, cancellationToken).ConfigureAwait(false);
        var replacement = candidates
            .Where(s => s.SubscriptionId != over.SubscriptionId && s.Rank() == SubscriptionSnapshotRanking.MayGrantAccess)
            .OrderByDescending(s => s.CurrentPeriodStart)
            .FirstOrDefault();
        if (replacement is null)
        {
            return null;
        }

        var adopted = await ApplyOnceAsync(accountId, replacement, cancellationToken).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId} has two live subscriptions in Stripe ({CurrentSubscriptionId} kept, {OtherSubscriptionId} refused): cancel one in Stripe, then re-sync the account")]
    private partial void LogTwoLiveSubscriptions(string accountId, string currentSubscriptionId, string otherSubscriptionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: subscription {EndedSubscriptionId} is over; live subscription {ReplacementSubscriptionId} of the same customer: {Outcome}")]
    private partial void LogReplacement(string accountId, string endedSubscriptionId, string replacementSubscriptionId, SubscriptionSnapshotOutcome outcome);
}
