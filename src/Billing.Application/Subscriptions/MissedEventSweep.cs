using Billing.Application.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Subscriptions;

/// <summary>
/// The safety net for missed webhooks: no account stays on a paid plan (or in a trial) forever because Stripe's
/// renewal, cancellation or trial-end events never arrived. Each run lists at most <see cref="MissedEventSweepOptions.BatchSize"/>
/// accounts whose stored renewsBy passed more than <see cref="MissedEventSweepOptions.Grace"/> ago, reads each
/// subscription from Stripe again and applies it through <see cref="StripeSubscriptionSync"/> (the webhook path), so a
/// run is idempotent and races with webhooks harmlessly. A timer function calls <see cref="RunAsync"/>.
/// Runs walk the overdue accounts a batch at a time (<see cref="MissedEventSweepPosition"/>): a full batch makes the next
/// run go on below the oldest renewsBy it reached, and a short one starts the next lap from the most recent again, so
/// accounts that stay overdue (a subscription Stripe keeps unchanged, a sync that keeps failing) can never hide older
/// ones for good, however many there are.
/// </summary>
public sealed partial class MissedEventSweep(
    IAccountRenewalQuery query,
    IBillingAccountStore accounts,
    StripeSubscriptionSync sync,
    MissedEventSweepPosition position,
    IOptions<MissedEventSweepOptions> options,
    TimeProvider time,
    ILogger<MissedEventSweep> logger)
{
    public async Task<MissedEventSweepSummary> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var dueBefore = time.GetUtcNow() - settings.Grace;
        var from = position.ResumeBefore is { } resume && resume < dueBefore ? resume : dueBefore;
        var listed = await query.ListRenewalOverdueAsync(from, settings.BatchSize, cancellationToken).ConfigureAwait(false);
        position.ResumeBefore = NextStart(listed, from, settings.BatchSize);
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
                // Corrected only when the account is no longer overdue: a fresh read always applies (it is newer), also
                // when Stripe still has the same period, and that account must be reported, not counted as fixed.
                var synced = await sync.SyncAsync(accountId, subscriptionId, cancellationToken).ConfigureAwait(false);
                if (synced.Outcome is SubscriptionSyncOutcome.Applied or SubscriptionSyncOutcome.DuplicateResolved
                    && !(synced.Account?.RenewsBy < dueBefore))
                {
                    corrected++;
                    LogCorrected(accountId.Value, subscriptionId, synced.Account?.Subscription?.Status.Value);
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
        return summary;
    }

    /// <summary>
    /// Where the next run lists from: after a short batch, the top again (null); after a full one, just above the oldest
    /// renewsBy listed, so accounts sharing it that did not fit are listed next time (those that did are read again,
    /// which changes nothing), or below it when the whole batch shares it and would otherwise be listed for ever.
    /// </summary>
    private static DateTimeOffset? NextStart(IReadOnlyList<RenewalOverdue> listed, DateTimeOffset from, int batchSize)
    {
        if (listed.Count < batchSize)
        {
            return null;
        }

        var oldest = listed.Min(d => d.RenewsBy);
        var inclusive = oldest.AddTicks(1);
        return inclusive < from ? inclusive : oldest;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep (renewsBy before {DueBefore:O}): {Due} due, {Corrected} corrected, {Unchanged} unchanged, {Failed} failed; more due: {MoreDue}")]
    private partial void LogSummary(DateTimeOffset dueBefore, int due, int corrected, int unchanged, int failed, bool moreDue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep corrected account {AccountId} from subscription {SubscriptionId}: now {Status}")]
    private partial void LogCorrected(string accountId, string subscriptionId, string? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} is past its renewsBy {RenewsBy:O} but Stripe's subscription {SubscriptionId} changed nothing ({Outcome})")]
    private partial void LogStillOverdue(string accountId, string subscriptionId, DateTimeOffset renewsBy, SubscriptionSyncOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Missed-event sweep could not correct account {AccountId} (subscription {SubscriptionId}); the next run tries again")]
    private partial void LogFailed(Exception exception, string accountId, string subscriptionId);
}

/// <summary>Where the missed-event sweep's next run goes on (one per process; a restart begins a new lap, which is harmless).</summary>
public sealed class MissedEventSweepPosition
{
    /// <summary>The next run lists accounts whose renewsBy is before this; null: from the most recently due.</summary>
    public DateTimeOffset? ResumeBefore { get; set; }
}

/// <summary>What one sweep run did. <see cref="MoreDue"/>: the batch was full, more accounts may be waiting.</summary>
public sealed record MissedEventSweepSummary(int Due, int Corrected, int Unchanged, int Failed, bool MoreDue);
