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
    /// The app was down 40 days, longer than the invoicing sweep's 35-day look-back, and its last successful sweep left its
    /// mark then (the first run after the outage may have failed: the schedule status below says the timer last ran
    /// yesterday). The past-due run reads the mark in Cosmos DB, catches up from it, and moves it to today.
    /// </summary>
    [Fact]
    public async Task After_downtime_longer_than_the_look_back_the_past_due_run_catches_up_from_the_last_successful_sweep()
    {
        var emulators = await LocalEmulators.GetAsync();
        var state = Directory.CreateTempSubdirectory("billing-timer-state-").FullName;
        Directory.CreateDirectory(Path.Combine(state, "timers"));
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var lastRun = new DateTimeOffset(now.Year, now.Month, now.Day, 2, 0, 0, TimeSpan.Zero).AddDays(-1);
        await File.WriteAllTextAsync(
            Path.Combine(state, "timers", "MonthlyInvoicing.json"),
            JsonSerializer.Serialize(new { Last = lastRun.AddDays(-1), Next = lastRun, LastUpdated = lastRun.AddDays(-1) }));
        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["MONTHLY_INVOICING_SCHEDULE"] = "0 0 2 * * *";
        await using var data = BillingData.For(emulators, settings);
        await data.ProvisionAsync();
        var markDay = today.AddDays(-40);
        await data.InvoicingSweepMarks.MoveForwardAsync(markDay, CancellationToken.None);

        await using var app = await FunctionAppProcess.StartAsync(settings, stateDirectory: state);

        await app.WaitForOutputAsync("Monthly invoicing fired (past due: True");
        await app.WaitForOutputAsync($"before the look-back window; reading the closing days from {markDay:yyyy-MM-dd} to catch up");
        await app.WaitForOutputAsync("Invoicing sweep: 41 closing days read");
        var mark = await Eventually.GetAsync(
            () => data.InvoicingSweepMarks.GetAsync(CancellationToken.None), m => m?.ReadAgainFrom >= today, "the mark moved to today (settle time 0)");
        Assert.Equal(today, mark!.ReadAgainFrom);
    }
}
