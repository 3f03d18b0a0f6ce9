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

    /// <summary>
    /// The app was down 40 days, longer than the invoicing sweep's 35-day look-back: the past-due run reads the schedule
    /// status's last run and catches up from there (the sweep itself is unit-tested in InvoicingSweepTests).
    /// </summary>
    [Fact]
    public async Task After_downtime_longer_than_the_look_back_the_past_due_run_catches_up_from_the_last_run()
    {
        var emulators = await LocalEmulators.GetAsync();
        var state = Directory.CreateTempSubdirectory("billing-timer-state-").FullName;
        Directory.CreateDirectory(Path.Combine(state, "timers"));
        var now = DateTimeOffset.UtcNow;
        var lastRun = new DateTimeOffset(now.Year, now.Month, now.Day, 2, 0, 0, TimeSpan.Zero).AddDays(-40);
        await File.WriteAllTextAsync(
            Path.Combine(state, "timers", "MonthlyInvoicing.json"),
            JsonSerializer.Serialize(new { Last = lastRun, Next = lastRun.AddDays(1), LastUpdated = lastRun }));

        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["MONTHLY_INVOICING_SCHEDULE"] = "0 0 2 * * *";
        await using var app = await FunctionAppProcess.StartAsync(settings, stateDirectory: state);

        await app.WaitForOutputAsync("Monthly invoicing fired (past due: True");
        var firstDay = DateOnly.FromDateTime(lastRun.UtcDateTime.AddMinutes(-10)).AddDays(-1); // the settle time (10 minutes), a day's margin
        await app.WaitForOutputAsync($"before the look-back window; reading the closing days from {firstDay:yyyy-MM-dd}");
        await app.WaitForOutputAsync("Invoicing sweep: 42 closing days read");
    }
}
