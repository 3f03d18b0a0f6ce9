using Billing.Application.Accounts;
using Billing.Application.Payments;
using Billing.Domain.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Subscriptions;

/// <summary>
/// The safety net for missed webhooks: no account stays on a paid plan (or in a trial) forever because Stripe's
/// renewal, cancellation or trial-end events never arrived. A run lists, a batch of at most <see cref="MissedEventSweepOptions.BatchSize"/>
/// at a time, the accounts whose stored renewsBy passed more than <see cref="MissedEventSweepOptions.Grace"/> ago, reads each
/// subscription from Stripe again and applies it through <see cref="StripeSubscriptionSync"/> (the webhook path), so a
/// run is idempotent and races with webhooks harmlessly; a subscription Stripe no longer has is ended there as a deletion
/// is (<see cref="SubscriptionSyncOutcome.EndedNotFoundInStripe"/>, counted as corrected), unless Stripe does not know
/// its customer either (<see cref="SubscriptionSyncOutcome.CustomerUnknownInStripe"/>: nothing ended, counted as failed).
/// A timer function calls <see cref="RunAsync"/>.
/// Runs walk the overdue accounts a batch at a time, in laps: a full batch makes the next batch go on strictly after the
/// last account it listed (renewsBy, then account id, both descending: accounts sharing one renewsBy are neither
/// skipped nor read twice), and a short one starts the next lap from the most recently due again, so accounts that stay
/// overdue (a subscription Stripe keeps unchanged, a sync that keeps failing) can never hide older ones for good, however
/// many there are. The position is kept in <see cref="IMissedEventSweepPositionStore"/>, not in the process: every run
/// may start in a fresh one. It is written after each batch (unless it would not change: a lap from the top that ends
/// in the run's first batch), once the whole batch was processed (an account that failed
/// counts as processed: it stays due and the next lap tries it again), so a run the host stops (its function timeout)
/// keeps the batches it finished and leaves only its unfinished one to the next run.
/// A run goes on batch after batch within <see cref="MissedEventSweepOptions.TimeBudget"/> (a batch starts only if the
/// time spent plus the run's longest batch so far fits) and stops at the end of its lap, so it never lists an account
/// twice; within a batch, up to <see cref="MissedEventSweepOptions.Parallelism"/> accounts are synced at a time.
/// Two overlapping runs may list the same batch (harmless); only one of them moves the position, and the other stops.
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
    /// <summary>
    /// Sweeps batch after batch until the lap ends, the time budget leaves no room for another batch, or another run moved
    /// the position. Cancellation starts no further account or batch and writes no position for the batch under way.
    /// </summary>
    public async Task<MissedEventSweepSummary> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var started = time.GetTimestamp();
        var dueBefore = time.GetUtcNow() - settings.Grace;
        var stored = await positions.GetAsync(cancellationToken).ConfigureAwait(false);
        var (after, etag) = (stored?.After, stored?.ETag);
        int batches = 0, due = 0, corrected = 0, unchanged = 0, failed = 0;
        var longestBatch = TimeSpan.Zero;
        bool moreDue, stoppedOnBudget = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batchStarted = time.GetTimestamp();
            var listed = await query.ListRenewalOverdueAsync(dueBefore, after, settings.BatchSize, cancellationToken).ConfigureAwait(false);
            // A batch too slow for the function's timeout (a large BatchSize on a small Stripe budget) is cut short before
            // the host stops the run, and the position goes after the accounts it did: else every run would redo its start.
            var swept = await SweepBatchAsync(listed, dueBefore, settings.Parallelism, () => time.GetElapsedTime(started) >= CutOff, cancellationToken).ConfigureAwait(false);
            batches++;
            due += swept.Length;
            corrected += swept.Count(s => s == AccountSwept.Corrected);
            unchanged += swept.Count(s => s == AccountSwept.Unchanged);
            failed += swept.Count(s => s is AccountSwept.Failed or AccountSwept.CustomerUnknown);
            var cut = swept.Length < listed.Count;
            if (cut && swept.Length == 0)
            {
                moreDue = stoppedOnBudget = true; // nothing done: the position stays where it was
                break;
            }

            // After a full batch the sweep goes on strictly after the last account listed (after a cut one, after the last
            // it did); after a short one (the end of the lap) the next run starts at the top again. Written once the
            // accounts before it were processed, so a run that did not finish a batch leaves the rest to the next run.
            moreDue = cut || listed.Count >= settings.BatchSize;
            var next = moreDue ? listed[swept.Length - 1] : null;
            if (next is null && after is null && etag is not null)
            {
                // A lap that began and ended at the top, as the stored position says: writing it again would change nothing
                // (but its writtenAt), and the run stops here whatever another run wrote meanwhile.
                LogLapEnded();
                break;
            }

            etag = await positions.TryWriteAsync(next, etag, cancellationToken).ConfigureAwait(false);
            if (etag is null)
            {
                // Another run wrote it meanwhile and goes on from there: going on here as well would walk the same accounts.
                LogPositionMoved();
                break;
            }

            if (next is null)
            {
                LogLapEnded();
                break;
            }

            LogPositionWritten(next.AccountId.Value, next.RenewsBy);
            if (cut)
            {
                LogBatchCut(swept.Length, listed.Count, CutOff);
                stoppedOnBudget = true;
                break;
            }

            if (swept.All(s => s == AccountSwept.CustomerUnknown))
            {
                // Stripe knew none of a whole batch's customers: the key reads another Stripe account or mode, and every
                // further batch would only cost three Stripe reads and an error per account. The next run tries again.
                LogEveryCustomerUnknown(listed.Count);
                break;
            }

            after = next;
            var batchTook = time.GetElapsedTime(batchStarted);
            longestBatch = batchTook > longestBatch ? batchTook : longestBatch;
            if (time.GetElapsedTime(started) + longestBatch > settings.TimeBudget)
            {
                stoppedOnBudget = true;
                break;
            }
        }

        var summary = new MissedEventSweepSummary(batches, due, corrected, unchanged, failed, moreDue, stoppedOnBudget);
        var elapsed = time.GetElapsedTime(started);
        LogSummary(dueBefore, summary.Batches, elapsed, summary.Due, summary.Corrected, summary.Unchanged, summary.Failed, summary.MoreDue, summary.StoppedOnBudget);
        return summary;
    }

    /// <summary>
    /// Sweeps the batch's accounts, at most <paramref name="parallelism"/> at a time, and says how each went, in list
    /// order, for the accounts it did: all of them, or the first ones when <paramref name="cutOff"/> said stop (no
    /// account is started after it; the ones under way finish, so those done are always the first of the list). The
    /// workers start on the caller's thread, each running until its first wait, and take the accounts in list order; each
    /// checks the token before it starts another account, so a cancelled run starts no new account and throws once the
    /// ones under way are done.
    /// </summary>
    private async Task<AccountSwept[]> SweepBatchAsync(IReadOnlyList<RenewalOverdue> listed, DateTimeOffset dueBefore, int parallelism, Func<bool> cutOff, CancellationToken cancellationToken)
    {
        var swept = new AccountSwept[listed.Count];
        var taken = -1;
        async Task WorkAsync()
        {
            while (!cutOff() && Interlocked.Increment(ref taken) is var index && index < listed.Count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                swept[index] = await SweepAccountAsync(listed[index].AccountId, dueBefore, cancellationToken).ConfigureAwait(false);
            }
        }

        var workers = new Task[Math.Min(parallelism, listed.Count)];
        for (var worker = 0; worker < workers.Length; worker++)
        {
            workers[worker] = WorkAsync();
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return swept[..Math.Min(Volatile.Read(ref taken) + 1, listed.Count)]; // every index taken was done
    }

    /// <summary>How long into a run no further account is started: what the function's timeout leaves for the position's write.</summary>
    private static TimeSpan CutOff => MissedEventSweepOptions.FunctionTimeout - MissedEventSweepOptions.MinTimeoutMargin;

    /// <summary>Reads one overdue account again and, if it still is, syncs its subscription from Stripe: how that went.</summary>
    private async Task<AccountSwept> SweepAccountAsync(AccountId accountId, DateTimeOffset dueBefore, CancellationToken cancellationToken)
    {
        string? subscriptionId = null;
        try
        {
            // Read again: a webhook may have brought the account up to date since the query.
            var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
            if (account?.Subscription is not { } subscription || account.RenewsBy is not { } renewsBy || renewsBy >= dueBefore)
            {
                return AccountSwept.Unchanged;
            }

            subscriptionId = subscription.SubscriptionId;
            // Corrected only when the account is no longer overdue: a fresh read applies (it is newer) also when
            // Stripe still has the same period, and that account must be reported, not counted as fixed. A
            // subscription Stripe no longer has is ended by the sync, as a deletion is: corrected too.
            var synced = await sync.SyncAsync(accountId, subscriptionId, cancellationToken).ConfigureAwait(false);
            if (synced.Outcome is SubscriptionSyncOutcome.Applied or SubscriptionSyncOutcome.DuplicateResolved or SubscriptionSyncOutcome.EndedNotFoundInStripe
                && !(synced.Account?.RenewsBy < dueBefore))
            {
                LogCorrected(accountId.Value, subscriptionId, synced.Outcome, synced.Account?.Subscription?.Status.Value);
                return AccountSwept.Corrected;
            }

            if (synced.Outcome == SubscriptionSyncOutcome.CustomerUnknownInStripe)
            {
                return AccountSwept.CustomerUnknown; // nothing ended (the sync logged an error: likely a key of another Stripe account); it stays due
            }

            LogStillOverdue(accountId.Value, subscriptionId, renewsBy, synced.Outcome);
            return AccountSwept.Unchanged;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // One account's trouble (Stripe, a conflict, the store, a document it cannot read) must not stop the
            // others; it stays due and the next lap tries again. That mends an outage or a conflict; anything else (a
            // document that does not read back, a refusal, a bug) fails every lap, the account keeping its plan: an error.
            if (IsPassing(exception))
            {
                LogFailed(exception, accountId.Value, subscriptionId ?? "not read");
            }
            else
            {
                LogFailedEveryLap(exception, accountId.Value, subscriptionId ?? "not read");
            }

            return AccountSwept.Failed;
        }
    }

    /// <summary>A failure a later lap mends: Stripe or a store down, throttling or timing out, or concurrent writes.</summary>
    private static bool IsPassing(Exception exception) => exception is PaymentProviderException { IsTransient: true }
        or ServiceUnavailableException or AccountUpdateConflictException or HttpRequestException or TimeoutException or OperationCanceledException;

    private enum AccountSwept
    {
        Unchanged = 0,
        Corrected,
        Failed,

        /// <summary>Failed because Stripe knows neither the subscription nor its customer (counted as failed).</summary>
        CustomerUnknown,
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Missed-event sweep cut a batch short after {Done} of its {Listed} accounts, {CutOff} into the run (the function's timeout is near); the next run goes on after them. A batch this slow needs a smaller BatchSize or a larger Stripe budget")]
    private partial void LogBatchCut(int done, int listed, TimeSpan cutOff);

    [LoggerMessage(Level = LogLevel.Error, Message = "Missed-event sweep stopped: Stripe knew the customer of none of the {Count} subscriptions of a full batch; the Stripe secret key is probably of another Stripe account or mode (check Stripe:SecretKey)")]
    private partial void LogEveryCustomerUnknown(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep (renewsBy before {DueBefore:O}): {Batches} batches in {Elapsed}, {Due} due, {Corrected} corrected, {Unchanged} unchanged, {Failed} failed; more due: {MoreDue}, stopped on the time budget: {StoppedOnBudget}")]
    private partial void LogSummary(DateTimeOffset dueBefore, int batches, TimeSpan elapsed, int due, int corrected, int unchanged, int failed, bool moreDue, bool stoppedOnBudget);

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep position: the sweep goes on after account {NextAccountId} (renewsBy {NextRenewsBy:O})")]
    private partial void LogPositionWritten(string nextAccountId, DateTimeOffset nextRenewsBy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep position: every overdue account was listed in this lap; the next run starts from the most recently due")]
    private partial void LogLapEnded();

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep position was moved by another run meanwhile; left as that run wrote it, and this run stops")]
    private partial void LogPositionMoved();

    [LoggerMessage(Level = LogLevel.Information, Message = "Missed-event sweep corrected account {AccountId} from subscription {SubscriptionId} ({Outcome}): now {Status}")]
    private partial void LogCorrected(string accountId, string subscriptionId, SubscriptionSyncOutcome outcome, string? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} is past its renewsBy {RenewsBy:O} but Stripe's subscription {SubscriptionId} changed nothing ({Outcome})")]
    private partial void LogStillOverdue(string accountId, string subscriptionId, DateTimeOffset renewsBy, SubscriptionSyncOutcome outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Missed-event sweep could not correct account {AccountId} (subscription {SubscriptionId}), and the failure is no outage a later lap mends (a document that does not read back, a refusal, a bug): the account keeps its plan and fails every lap until an operator looks")]
    private partial void LogFailedEveryLap(Exception exception, string accountId, string subscriptionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Missed-event sweep could not correct account {AccountId} (subscription {SubscriptionId}); the next lap tries again")]
    private partial void LogFailed(Exception exception, string accountId, string subscriptionId);
}

/// <summary>
/// What one sweep run did, over all its <see cref="Batches"/> (the listings it made, an empty one included):
/// <see cref="Due"/> accounts listed, each <see cref="Corrected"/>, <see cref="Unchanged"/> or <see cref="Failed"/>.
/// <see cref="MoreDue"/>: its last batch was full, more accounts may be waiting (the next run goes on after them);
/// <see cref="StoppedOnBudget"/>: it stopped because its time budget left no room for another batch.
/// </summary>
public sealed record MissedEventSweepSummary(int Batches, int Due, int Corrected, int Unchanged, int Failed, bool MoreDue, bool StoppedOnBudget);
