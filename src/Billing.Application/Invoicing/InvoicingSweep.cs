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
/// </summary>
public sealed partial class InvoicingSweep(
    IUsageLedger usage,
    IInvoiceJobs jobs,
    IOptions<InvoicingOptions> options,
    TimeProvider time,
    ILogger<InvoicingSweep> logger)
{
    private const int EnqueueParallelism = 16;

    public Task<InvoicingSweepResult> RunAsync(CancellationToken cancellationToken) => RunAsync(lastRun: null, cancellationToken);

    /// <summary>
    /// Sweeps the look-back window, or from the closing day of the first period the timer's previous run at
    /// <paramref name="lastRun"/> could not invoice yet, when that is earlier: the app was stopped longer than the
    /// window, and the periods that closed meanwhile (at most <see cref="InvoicingOptions.MaxLookbackDays"/> back) are
    /// not left out. A day's margin covers a host whose schedule status is not in UTC.
    /// </summary>
    public async Task<InvoicingSweepResult> RunAsync(DateTimeOffset? lastRun, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var firstDay = options.Value.FirstDaySwept(now);
        if (lastRun is { } last && last < now)
        {
            var sinceLastRun = DateOnly.FromDateTime((last - options.Value.SettleTime).UtcDateTime);
            if (sinceLastRun < firstDay)
            {
                var earliest = today.AddDays(-InvoicingOptions.MaxLookbackDays);
                firstDay = sinceLastRun.AddDays(-1) < earliest ? earliest : sinceLastRun.AddDays(-1);
                LogCatchingUp(last, firstDay);
            }
        }

        var queued = 0;
        for (var day = today; day >= firstDay; day = day.AddDays(-1))
        {
            var closed = (await usage.ListPeriodsEndingAsync(day, cancellationToken).ConfigureAwait(false)).Where(p => options.Value.IsSettled(p.PeriodEnd, now)).ToList();
            await EnqueueAsync(closed, cancellationToken).ConfigureAwait(false);
            queued += closed.Count;
        }

        var days = today.DayNumber - firstDay.DayNumber + 1;
        LogSwept(days, queued);
        return new InvoicingSweepResult(days, queued);
    }

    /// <summary>
    /// The (account, period) pairs with usage, not invoiced yet, whose period ends on a day from <paramref name="firstDay"/>
    /// to <paramref name="lastDay"/> (UTC), closed or not: the closing-day index read a day at a time.
    /// The operator's run (<see cref="InvoicingRuns"/>) enumerates through it; the timer reads the same index a day at a time.
    /// </summary>
    public async Task<IReadOnlyList<UsagePeriodEntry>> ListNotInvoicedAsync(DateOnly firstDay, DateOnly lastDay, CancellationToken cancellationToken)
    {
        var periods = new List<UsagePeriodEntry>();
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            periods.AddRange(await usage.ListPeriodsEndingAsync(day, cancellationToken).ConfigureAwait(false));
        }

        return periods;
    }

    /// <summary>Queues one <c>invoice-jobs</c> message per period (several sends at a time).</summary>
    public Task EnqueueAsync(IEnumerable<UsagePeriodEntry> periods, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            periods,
            new ParallelOptions { MaxDegreeOfParallelism = EnqueueParallelism, CancellationToken = cancellationToken },
            async (period, ct) => await jobs.EnqueueAsync(new InvoiceJob(period.AccountId, period.PeriodKey) { PeriodEnd = period.PeriodEnd }, ct).ConfigureAwait(false));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoicing sweep: the timer last ran at {LastRun:O}, before the look-back window; reading the closing days from {FirstDay:yyyy-MM-dd} to catch up")]
    private partial void LogCatchingUp(DateTimeOffset lastRun, DateOnly firstDay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoicing sweep: {Days} closing days read, {Queued} invoice jobs queued")]
    private partial void LogSwept(int days, int queued);
}
