using Billing.FunctionApp.Functions;
using Billing.FunctionApp.Hosting.FunctionMetadata;
using Microsoft.Extensions.Options;
using NCrontab;

namespace Billing.FunctionApp.Hosting.Standalone;

/// <summary>
/// Fires one timer function on its 6-field NCRONTAB schedule (UTC), one run at a time, as the host does:
/// occurrences that pass while a run is still going are folded into one run; a run missed while the app was
/// down (the recorded next occurrence is in the past at start) runs at once with IsPastDue; runOnStartup is honoured.
/// </summary>
public sealed partial class TimerTriggerScheduler(
    FunctionDefinition function,
    FunctionInvoker invoker,
    TimerScheduleStatusStore statusStore,
    IOptions<StandaloneTriggerOptions> options,
    TimeProvider time,
    ILogger<TimerTriggerScheduler> logger) : BackgroundService
{
    public static CrontabSchedule ParseSchedule(string expression) =>
        CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
        ?? throw new InvalidOperationException($"'{expression}' is not a 6-field NCRONTAB schedule (second minute hour day month day-of-week).");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = ParseSchedule(function.Schedule!);
        var status = await statusStore.LoadAsync(function.Name, stoppingToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var firstNext = Next(schedule, now);
        LogScheduled(function.Name, function.Schedule!, firstNext);

        if (status is not null && status.Next < now)
        {
            LogPastDue(function.Name, status.Next);
            status = await RunAsync(schedule, new TimerTrigger(true, status.Last, status.Next), status.Next, stoppingToken).ConfigureAwait(false);
        }
        else if (function.Trigger.RunOnStartup)
        {
            status = await RunAsync(schedule, new TimerTrigger(false, status?.Last, status?.Next), time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            now = time.GetUtcNow();
            var next = Next(schedule, now);
            await statusStore.SaveAsync(function.Name, new TimerScheduleStatus(status?.Last, next, now), stoppingToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(next - now, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var isPastDue = time.GetUtcNow() - next > options.Value.PastDueThreshold;
            status = await RunAsync(schedule, new TimerTrigger(isPastDue, status?.Last, next), next, stoppingToken).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset Next(CrontabSchedule schedule, DateTimeOffset after) =>
        new(DateTime.SpecifyKind(schedule.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc));

    private async Task<TimerScheduleStatus> RunAsync(CrontabSchedule schedule, TimerTrigger trigger, DateTimeOffset occurrence, CancellationToken stoppingToken)
    {
        try
        {
            await invoker.InvokeTimerAsync(function.Name, trigger, Guid.NewGuid().ToString("N"), stoppingToken).ConfigureAwait(false);
        }
        catch (Exception) when (!stoppingToken.IsCancellationRequested)
        {
            // Logged by the invoker. Like the host, a failed timer run is not retried; the next occurrence runs as scheduled.
        }

        var now = time.GetUtcNow();
        var status = new TimerScheduleStatus(occurrence, Next(schedule, now), now);
        await statusStore.SaveAsync(function.Name, status, stoppingToken).ConfigureAwait(false);
        return status;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Standalone trigger: {FunctionName} scheduled '{Schedule}' (UTC); next run {Next:o}")]
    private partial void LogScheduled(string functionName, string schedule, DateTimeOffset next);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{FunctionName} missed its run at {Missed:o}; running now (past due)")]
    private partial void LogPastDue(string functionName, DateTimeOffset missed);
}
