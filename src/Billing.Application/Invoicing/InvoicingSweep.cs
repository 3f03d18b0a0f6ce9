using Billing.Domain.Accounts;
using Billing.Application.Usage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Invoicing;

/// <summary>What one timer run found and queued.</summary>
public sealed record InvoicingSweepResult(int DaysScanned, int Queued);

/// <summary>
/// The <c>MonthlyInvoicing</c> timer's work: read the closing-day index for every day of the look-back window up to
/// now (single-partition queries of the day's index partitions), and queue one <c>invoice-jobs</c> message per closed period not yet
/// invoiced. Days go newest first, each queued as soon as it is read: a run cut short (its function timeout, on a day
/// with a large backlog) has queued the periods that closed most recently, and the next run finds the rest. It only
/// enumerates: the jobs do the invoicing, idempotently, so running it twice queues duplicates that change nothing.
/// After downtime longer than the window (the app stopped, or its runs failing), a run reads back to where the last
/// successful run left off (<see cref="IInvoicingSweepMarkStore"/>), at most <see cref="InvoicingOptions.MaxLookbackDays"/>.
/// The operator's run (<see cref="InvoicingRuns"/>) reads a month through <see cref="ListNotInvoicedAsync"/> and never moves the mark.
/// Each run also marks the next month's run index complete before that month begins (<see cref="RunIndexMarkLead"/>).
/// </summary>
public sealed partial class InvoicingSweep(
    IUsageLedger usage,
    IInvoiceJobs jobs,
    IInvoicingSweepMarkStore marks,
    IInvoiceRunStore runs,
    IOptions<InvoicingOptions> options,
    TimeProvider time,
    ILogger<InvoicingSweep> logger)
{
    private const int EnqueueParallelism = 16;

    /// <summary>
    /// How long before a month begins a run marks the month's run index complete: a day, the time a deployment takes to
    /// replace every instance. A run of the month's periods is created after its period ended, so after the month began;
    /// the instances left then are of this version or a later one, which name every run in the index as they create it.
    /// An instance of a version before the index, still running while a deploy rolls out, could create a run unnamed, but
    /// not of a month that begins a day after. So on a new installation every month after the first is complete without a
    /// backfill; only the month the installation (or the upgrade to a version with the index) began in needs one.
    /// </summary>
    public static readonly TimeSpan RunIndexMarkLead = TimeSpan.FromDays(1);

    /// <summary>
    /// Sweeps the look-back window, or from the day the mark of the last successful run says when that is earlier (the
    /// runs of a longer outage did not run or failed), at most <see cref="InvoicingOptions.MaxLookbackDays"/> back; then,
    /// only when every day was read and every job queued, moves the mark to the day the next run must read again. A run
    /// that throws leaves the mark where it was, so the next run reads the same days again.
    /// </summary>
    public async Task<InvoicingSweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var firstDay = options.Value.FirstDaySwept(now);
        var mark = await marks.GetAsync(cancellationToken).ConfigureAwait(false);
        if (mark is not null && mark.ReadAgainFrom < firstDay)
        {
            var earliest = today.AddDays(-InvoicingOptions.MaxLookbackDays);
            firstDay = mark.ReadAgainFrom < earliest ? earliest : mark.ReadAgainFrom;
            LogCatchingUp(mark.WrittenAt, mark.ReadAgainFrom, firstDay);
        }

        var queued = 0;
        for (var day = today; day >= firstDay; day = day.AddDays(-1))
        {
            var closed = (await usage.ListPeriodsEndingAsync(day, cancellationToken).ConfigureAwait(false)).Where(p => options.Value.IsSettled(p.PeriodEnd, now)).ToList();
            await EnqueueAsync(closed, cancellationToken).ConfigureAwait(false);
            queued += closed.Count;
        }

        // Every period that ends before this day had settled by now, and its day was read (by this run or, before the
        // mark it started from, by an earlier successful one); periods of this day may settle later.
        await marks.MoveForwardAsync(DateOnly.FromDateTime((now - options.Value.SettleTime).UtcDateTime), cancellationToken).ConfigureAwait(false);
        var next = BillingMonth.Of(now).Next;
        if (next.Start - now >= RunIndexMarkLead)
        {
            await runs.MarkMonthIndexCompletedAsync(next, now, cancellationToken).ConfigureAwait(false); // the first mark is kept
        }

        var days = today.DayNumber - firstDay.DayNumber + 1;
        LogSwept(days, queued);
        return new InvoicingSweepResult(days, queued);
    }

    /// <summary>
    /// The (account, period) pairs with usage, not invoiced yet, whose period ends on a day from <paramref name="firstDay"/>
    /// to <paramref name="lastDay"/> (UTC), closed or not, of every account or of <paramref name="accountId"/> only (whose
    /// entries alone are read then): the closing-day index read a day at a time.
    /// The operator's run (<see cref="InvoicingRuns"/>) enumerates through it; the timer reads the same index a day at a time.
    /// </summary>
    public async Task<IReadOnlyList<UsagePeriodEntry>> ListNotInvoicedAsync(DateOnly firstDay, DateOnly lastDay, AccountId? accountId, CancellationToken cancellationToken)
    {
        var periods = new List<UsagePeriodEntry>();
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            periods.AddRange(accountId is { } account
                ? await usage.ListPeriodsEndingAsync(day, account, cancellationToken).ConfigureAwait(false)
                : await usage.ListPeriodsEndingAsync(day, cancellationToken).ConfigureAwait(false));
        }

        return periods;
    }

    /// <summary>Queues one <c>invoice-jobs</c> message per period (several sends at a time).</summary>
    public Task EnqueueAsync(IEnumerable<UsagePeriodEntry> periods, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            periods,
            new ParallelOptions { MaxDegreeOfParallelism = EnqueueParallelism, CancellationToken = cancellationToken },
            async (period, ct) => await jobs.EnqueueAsync(new InvoiceJob(period.AccountId, period.PeriodKey) { PeriodEnd = period.PeriodEnd }, ct).ConfigureAwait(false));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoicing sweep: the last successful run ({LastSuccess:O}) read the closing days before {ReadAgainFrom:yyyy-MM-dd}, before the look-back window; reading the closing days from {FirstDay:yyyy-MM-dd} to catch up")]
    private partial void LogCatchingUp(DateTimeOffset lastSuccess, DateOnly readAgainFrom, DateOnly firstDay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoicing sweep: {Days} closing days read, {Queued} invoice jobs queued")]
    private partial void LogSwept(int days, int queued);
}
