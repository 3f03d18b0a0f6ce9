namespace Billing.FunctionApp.Hosting.Standalone;

/// <summary>
/// The queue poller and cron scheduler that stand in for the Functions host when none drives this server
/// (local runs and tests). Under the host (FUNCTIONS_CUSTOMHANDLER_PORT set) they are off unless forced.
/// </summary>
public sealed class StandaloneTriggerOptions
{
    public const string Section = "Standalone";

    /// <summary>null = automatic: on when no Functions host drives the server.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Where timer schedule status (last/next run) is kept between runs, as the host keeps it in storage.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>How long a received message stays invisible while its function runs; renewed at half-time.</summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A timer run later than this after its scheduled time is reported as past due.</summary>
    public TimeSpan PastDueThreshold { get; set; } = TimeSpan.FromSeconds(5);
}
