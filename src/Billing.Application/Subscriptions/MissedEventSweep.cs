using Billing.Application.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Subscriptions;

/// <summary>
/// The safety net for missed webhooks: no account stays on a paid plan (or in a trial) forever because Stripe's
/// renewal, cancellation or trial-end events never arrived. Each run lists at most <see cref="MissedEventSweepOptions.BatchSize"/>
/// accounts whose stored renewsBy passed more than <see cref="MissedEventSweepOptions.Grace"/> ago, reads each
/// subscription from Stripe again and applies it through <see cref="StripeSubscriptionSync"/> (the webhook path), so a
/// run is idempotent and races with webhooks harmlessly; a subscription Stripe no longer has is ended there as a deletion
/// is (<see cref="SubscriptionSyncOutcome.EndedNotFoundInStripe"/>, counted as corrected), unless Stripe does not know
/// its customer either (<see cref="SubscriptionSyncOutcome.CustomerUnknownInStripe"/>: nothing ended, counted as failed).
/// A timer function calls <see cref="RunAsync"/>.
/// Runs walk the overdue accounts a batch at a time, in laps: a full batch makes the next run go on strictly after the
/// last account it listed (renewsBy, then account id, both descending: accounts sharing one renewsBy are neither
/// skipped nor read twice), and a short one starts the next lap from the most recently due again, so accounts that stay
/// overdue (a subscription Stripe keeps unchanged, a sync that keeps failing) can never hide older ones for good, however
/// many there are. The position is kept in <see cref="IMissedEventSweepPositionStore"/>, not in the process: every run
/// may start in a fresh one. Two overlapping runs may list the same batch (harmless); only one of them moves the position.
/// </summary>
public sealed partial class MissedEventSweep(
    IAccountRenewalQuery query,
    IBillingAccountStore accounts,
    StripeSubscriptionSync sync,
    IMissedEventSweepPositionStore positions,
    IOptions<MissedEventSweepOptions> options,
    TimeProvider time,
    ILogger<MissedEventSweep> logger)
{
    public async Task<MissedEventSweepSummary> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var dueBefore = time.GetUtcNow() - settings.Grace;
        var stored = await positions.GetAsync(cancellationToken).ConfigureAwait(false);
        var after = stored?.After;
        var listed = await query.ListRenewalOverdueAsync(dueBefore, after, settings.BatchSize, cancellationToken).ConfigureAwait(false);
        var due = listed.Select(d => d.AccountId).ToList();
        int corrected = 0, unchanged = 0, failed = 0;
        foreach (var accountId in due)
        {
            string? subscriptionId = null;
            try
            {
                // Read again: a webhook may have brought the account up to date since the query.
                var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
                if (account?.Subscription is not { } subscription || account.RenewsBy is not { } renewsBy || renewsBy >= dueBefore)
                {
                    unchanged++;
                    continue;
                }

                subscriptionId = subscription.SubscriptionId;
                // Corrected only when the account is no longer overdue: a fresh read applies (it is newer) also when
                // Stripe still has the same period, and that account must be reported, not counted as fixed. A
                // subscription Stripe no longer has is ended by the sync, as a deletion is: corrected too.
                var synced = await sync.SyncAsync(accountId, subscriptionId, cancellationToken).ConfigureAwait(false);
                if (synced.Outcome is SubscriptionSyncOutcome.Applied or SubscriptionSyncOutcome.DuplicateResolved or SubscriptionSyncOutcome.EndedNotFoundInStripe
                    && !(synced.Account?.RenewsBy < dueBefore))
                {
                    corrected++;
                    LogCorrected(accountId.Value, subscriptionId, synced.Outcome, synced.Account?.Subscription?.Status.Value);
                }
                else if (synced.Outcome == SubscriptionSyncOutcome.CustomerUnknownInStripe)
                {
                    failed++; // nothing ended (the sync logged an error: likely a key of another Stripe account); it stays due
                }
                else
                {
                    unchanged++;
                    LogStillOverdue(accountId.Value, subscriptionId, renewsBy, synced.Outcome);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One account's trouble (Stripe, a conflict, the store, a document it cannot read) must not stop the
                // others; it stays due and the next run tries again.
                failed++;
                LogFailed(exception, accountId.Value, subscriptionId ?? "not read");
            }
        }

        var summary = new MissedEventSweepSummary(due.Count, corrected, unchanged, failed, MoreDue: due.Count >= settings.BatchSize);
        LogSummary(dueBefore, summary.Due, summary.Corrected, summary.Unchanged, summary.Failed, summary.MoreDue);

        // After a full batch the next run goes on strictly after the last account listed; after a short one (the end of
        // the lap) it starts at the top again. Written last, so a run that did not finish leaves its batch to the next.
        var next = listed.Count >= settings.BatchSize ? listed[^1] : null;
        if (await positions.TryWriteAsync(next, stored?.ETag, cancellationToken).ConfigureAwait(false) is null)
        {
            LogPositionMoved();
        }
        else if (next is null)
        {
            LogLapEnded();
        }
        else
        {
            LogPositionWritten(next.AccountId.Value, next.RenewsBy);
        }

        return summary;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep (renewsBy before {DueBefore:O}): {Due} due, {Corrected} corrected, {Unchanged} unchanged, {Failed} failed; more due: {MoreDue}")]
    private partial void LogSummary(DateTimeOffset dueBefore, int due, int corrected, int unchanged, int failed, bool moreDue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep position: the next run goes on after account {NextAccountId} (renewsBy {NextRenewsBy:O})")]
    private partial void LogPositionWritten(string nextAccountId, DateTimeOffset nextRenewsBy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep position: every overdue account was listed in this lap; the next run starts from the most recently due")]
    private partial void LogLapEnded();

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep position was moved by another run meanwhile; left as that run wrote it")]
    private partial void LogPositionMoved();

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep corrected account {AccountId} from subscription {SubscriptionId} ({Outcome}): now {Status}")]
    private partial void LogCorrected(string accountId, string subscriptionId, SubscriptionSyncOutcome outcome, string? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} is past its renewsBy {RenewsBy:O} but Stripe's subscription {SubscriptionId} changed nothing ({Outcome})")]
    private partial void LogStillOverdue(string accountId, string subscriptionId, DateTimeOffset renewsBy, SubscriptionSyncOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Missed-event sweep could not correct account {AccountId} (subscription {SubscriptionId}); the next run tries again")]
    private partial void LogFailed(Exception exception, string accountId, string subscriptionId);
}

/// <summary>What one sweep run did. <see cref="MoreDue"/>: the batch was full, more accounts may be waiting.</summary>
public sealed record MissedEventSweepSummary(int Due, int Corrected, int Unchanged, int Failed, bool MoreDue);
