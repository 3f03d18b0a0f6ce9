using Billing.Application.Invoicing;

namespace Billing.FunctionApp.Invoicing;

/// <summary>
/// Timer trigger on <c>%MONTHLY_INVOICING_SCHEDULE%</c> (default daily at 02:00 UTC, so a period that closes on any day
/// of the month is invoiced within a day): queues one <c>invoice-jobs</c> message per closed period not invoiced yet.
/// It only enumerates; <see cref="InvoiceAccountFunction"/> does the invoicing. After downtime longer than the look-back
/// window, or runs that failed, it reads back to where the last successful run left off (the sweep keeps that mark).
/// </summary>
public sealed partial class MonthlyInvoicingFunction(InvoicingSweep sweep, ILogger<MonthlyInvoicingFunction> logger)
{
    [Function("MonthlyInvoicing")]
    public async Task Run([TimerTrigger("%MONTHLY_INVOICING_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        LogFired(timer.IsPastDue);
        await sweep.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monthly invoicing fired (past due: {IsPastDue})")]
    private partial void LogFired(bool isPastDue);
}
