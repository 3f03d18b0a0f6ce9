namespace Billing.FunctionsHost.Timers;

/// <summary>A timer's persisted status, as the real host's schedule monitor keeps it.</summary>
internal sealed record ScheduleStatus(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated)
{
    public static readonly DateTimeOffset Never = new(DateTime.MinValue, TimeSpan.Zero);
}
