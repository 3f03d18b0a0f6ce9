using System.Text.Json;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Foundation;

/// <summary>The timer trigger of the real worker under the local host: a run missed while the app was down fires once, past due, and the schedule status moves on.</summary>
public sealed class TimerTriggerTests
{
    [Fact]
    public async Task A_missed_run_fires_once_past_due_at_start_up_and_the_next_occurrence_is_recorded()
    {
        var emulators = await LocalEmulators.GetAsync();
        var state = Directory.CreateTempSubdirectory("billing-timer-state-").FullName;
        Directory.CreateDirectory(Path.Combine(state, "timers"));
        // The last 02:00 UTC occurrence of the daily schedule below: due while the app was down.
        var now = DateTimeOffset.UtcNow;
        var missed = new DateTimeOffset(now.Year, now.Month, now.Day, 2, 0, 0, TimeSpan.Zero);
        missed = missed < now.AddMinutes(-1) ? missed : missed.AddDays(-1);
        await File.WriteAllTextAsync(
            Path.Combine(state, "timers", "MonthlyInvoicing.json"),
            JsonSerializer.Serialize(new { Last = missed.AddDays(-1), Next = missed, LastUpdated = missed.AddDays(-1) }));

        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["MONTHLY_INVOICING_SCHEDULE"] = "0 0 2 * * *"; // daily: the host keeps schedule status for it (not for sub-minute schedules)
        await using var app = await FunctionAppProcess.StartAsync(settings, stateDirectory: state);

        await app.WaitForOutputAsync("Monthly invoicing fired (past due: True");
        await Eventually.UntilAsync(
            async () => JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(state, "timers", "MonthlyInvoicing.json"))).RootElement.GetProperty("Next").GetDateTimeOffset() > DateTimeOffset.UtcNow,
            "the schedule status to name the next occurrence");
        Assert.Equal(1, app.CountOutput("Monthly invoicing fired"));
    }
}
