namespace Billing.FunctionApp.Functions.MonthlyInvoicing;

/// <summary>
/// Timer trigger on <c>%MONTHLY_INVOICING_SCHEDULE%</c>. The usage-invoicing job itself belongs to the invoicing
/// issue; until then each run only records that it fired.
/// </summary>
public sealed partial class MonthlyInvoicingFunction(ILogger<MonthlyInvoicingFunction> logger) : ITimerTriggeredFunction
{
    public const string FunctionName = "MonthlyInvoicing";

    public string Name => FunctionName;

    public Task RunAsync(TimerTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        LogFired(trigger.IsPastDue, trigger.ScheduledNext);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monthly invoicing fired (past due: {IsPastDue}, scheduled {Scheduled:o}); usage invoicing is not built yet")]
    private partial void LogFired(bool isPastDue, DateTimeOffset? scheduled);
}
