namespace Billing.FunctionApp.Hosting.Standalone;

/// <summary>What the host records per timer function: the last and next scheduled occurrences.</summary>
public sealed record TimerScheduleStatus(DateTimeOffset? Last, DateTimeOffset Next, DateTimeOffset LastUpdated);
