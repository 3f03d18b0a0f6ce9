using Billing.Application.Invoicing;

namespace Billing.FunctionApp.Invoicing;

/// <summary>
/// Timer trigger on <c>%MONTHLY_INVOICING_SCHEDULE%</c> (default daily at 02:00 UTC, so a period that closes on any day
/// of the month is invoiced within a day): queues one <c>invoice-jobs</c> message per closed period not invoiced yet.
/// It only enumerates; <see cref="InvoiceAccountFunction"/> does the invoicing. After downtime longer than the look-back
/// window (the host's one past-due run) it reads back to where its last run's window began.
/// </summary>
public sealed partial class MonthlyInvoicingFunction(InvoicingSweep sweep, ILogger<MonthlyInvoicingFunction> logger)
{
    [Function("MonthlyInvoicing")]
    public async Task Run([TimerTrigger("%MONTHLY_INVOICING_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        LogFired(timer.IsPastDue);
        await sweep.RunAsync(LastRun(timer.ScheduleStatus), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// When the timer last ran, from the schedule status the host keeps (the blob monitor in Azure, the state folder
    /// locally): its last occurrence, or the moment the status was last updated when a schedule change reset that; null
    /// without a monitor or a run yet. The host writes local times without a zone: taken as UTC (Azure's default).
    /// </summary>
    private static readonly DateTime NoRun = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified); // "never" (DateTime.MinValue, in any zone)

    internal static DateTimeOffset? LastRun(ScheduleStatus? status)
    {
        var last = status is null ? default : status.Last > NoRun ? status.Last : status.LastUpdated;
        return last <= NoRun
            ? null
            : new DateTimeOffset(last.Kind == DateTimeKind.Local ? last.ToUniversalTime() : DateTime.SpecifyKind(last, DateTimeKind.Utc));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monthly invoicing fired (past due: {IsPastDue})")]
    private partial void LogFired(bool isPastDue);
}
