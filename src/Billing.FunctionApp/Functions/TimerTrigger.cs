namespace Billing.FunctionApp.Functions;

/// <summary>One firing of a timer-triggered function. <see cref="IsPastDue"/> is true when the run is later than scheduled.</summary>
public sealed record TimerTrigger(bool IsPastDue, DateTimeOffset? ScheduledLast, DateTimeOffset? ScheduledNext);

/// <summary>A timer-triggered function: must be safe to re-run (the host may fire a missed or repeated occurrence).</summary>
public interface ITimerTriggeredFunction
{
    string Name { get; }

    Task RunAsync(TimerTrigger trigger, CancellationToken cancellationToken);
}
