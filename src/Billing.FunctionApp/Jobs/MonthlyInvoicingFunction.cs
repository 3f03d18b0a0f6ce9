namespace Billing.FunctionApp.Jobs;

/// <summary>
/// Timer trigger on <c>%MONTHLY_INVOICING_SCHEDULE%</c>. The usage-invoicing job itself belongs to the invoicing
/// issue; until then each run only records that it fired.
/// </summary>
public sealed partial class MonthlyInvoicingFunction(ILogger<MonthlyInvoicingFunction> logger)
{
    [Function("MonthlyInvoicing")]
    public Task Run([TimerTrigger("%MONTHLY_INVOICING_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        cancellationToken.ThrowIfCancellationRequested();
        LogFired(timer.IsPastDue, timer.ScheduleStatus?.Next);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monthly invoicing fired (past due: {IsPastDue}, scheduled {Scheduled:o}); usage invoicing is not built yet")]
    private partial void LogFired(bool isPastDue, DateTime? scheduled);
}
