using Billing.Application.Usage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Invoicing;

/// <summary>What one timer run found and queued.</summary>
public sealed record InvoicingSweepResult(int DaysScanned, int Queued);

/// <summary>
/// The <c>MonthlyInvoicing</c> timer's work: read the closing-day index for every day of the look-back window up to
/// now (one single-partition query per day), and queue one <c>invoice-jobs</c> message per closed period not yet
/// invoiced. It only enumerates: the jobs do the invoicing, idempotently, so running it twice queues duplicates that
/// change nothing.
/// </summary>
public sealed partial class InvoicingSweep(
    IUsageLedger usage,
    IInvoiceJobs jobs,
    IOptions<InvoicingOptions> options,
    TimeProvider time,
    ILogger<InvoicingSweep> logger)
{
    private const int EnqueueParallelism = 16;

    public async Task<InvoicingSweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var days = options.Value.LookbackDays;
        var queued = 0;
        for (var day = today.AddDays(-days); day <= today; day = day.AddDays(1))
        {
            var closed = (await usage.ListPeriodsEndingAsync(day, cancellationToken).ConfigureAwait(false))
                .Where(p => p.PeriodEnd <= now)
                .ToList();
            await Parallel.ForEachAsync(
                closed,
                new ParallelOptions { MaxDegreeOfParallelism = EnqueueParallelism, CancellationToken = cancellationToken },
                async (period, ct) => await jobs.EnqueueAsync(new InvoiceJob(period.AccountId, period.PeriodKey), ct).ConfigureAwait(false)).ConfigureAwait(false);
            queued += closed.Count;
        }

        LogSwept(days + 1, queued);
        return new InvoicingSweepResult(days + 1, queued);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoicing sweep: {Days} closing days read, {Queued} invoice jobs queued")]
    private partial void LogSwept(int days, int queued);
}
