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
        // The last occurrence of the daily schedule below: due while the app was down.
        var (schedule, missed) = DailyScheduleFarFromNow();
        await File.WriteAllTextAsync(
            Path.Combine(state, "timers", "MonthlyInvoicing.json"),
            JsonSerializer.Serialize(new { Last = missed.AddDays(-1), Next = missed, LastUpdated = missed.AddDays(-1) }));

        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["MONTHLY_INVOICING_SCHEDULE"] = schedule; // daily: the host keeps schedule status for it (not for sub-minute schedules)
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
    /// yesterday). The past-due run reads the mark in Cosmos DB, catches up from it, and moves it to today;
    /// it also marks next month's run index complete.
    /// </summary>
    [Fact]
    public async Task After_downtime_longer_than_the_look_back_the_past_due_run_catches_up_from_the_last_successful_sweep()
    {
        var emulators = await LocalEmulators.GetAsync();
        var state = Directory.CreateTempSubdirectory("billing-timer-state-").FullName;
        Directory.CreateDirectory(Path.Combine(state, "timers"));
        // The app's run reads "today" (UTC) too: a test started just before midnight would count one day more than it.
        var untilMidnight = DateTimeOffset.UtcNow.Date.AddDays(1) - DateTimeOffset.UtcNow.UtcDateTime;
        if (untilMidnight < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(untilMidnight + TimeSpan.FromSeconds(5));
        }

        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.UtcDateTime);
        var (schedule, missed) = DailyScheduleFarFromNow();
        await File.WriteAllTextAsync(
            Path.Combine(state, "timers", "MonthlyInvoicing.json"),
            JsonSerializer.Serialize(new { Last = missed.AddDays(-1), Next = missed, LastUpdated = missed.AddDays(-1) }));
        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["MONTHLY_INVOICING_SCHEDULE"] = schedule;
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

        // The same run marked next month's run index complete, unless next month begins within a day (a few minutes'
        // margin either side: the run's clock is the app's).
        var next = Billing.Application.Invoicing.BillingMonth.Of(DateTimeOffset.UtcNow).Next;
        var lead = next.Start - DateTimeOffset.UtcNow;
        var marked = await data.InvoiceRuns.GetMonthIndexCompletedAsync(next, CancellationToken.None);
        if (lead > TimeSpan.FromDays(1) + TimeSpan.FromMinutes(5))
        {
            Assert.NotNull(marked);
        }
        else if (lead < TimeSpan.FromDays(1) - TimeSpan.FromMinutes(5))
        {
            Assert.Null(marked);
        }
    }

    /// <summary>
    /// A daily schedule at the hour twelve hours from now (so no occurrence falls while a test runs: at 02:00 a test
    /// started at 01:59 saw its past-due run and then the real one) and its last occurrence, about half a day ago.
    /// </summary>
    private static (string Schedule, DateTimeOffset LastOccurrence) DailyScheduleFarFromNow()
    {
        var now = DateTimeOffset.UtcNow;
        var hour = (now.Hour + 12) % 24;
        var last = new DateTimeOffset(now.Year, now.Month, now.Day, hour, 0, 0, TimeSpan.Zero);
        return ($"0 0 {hour} * * *", last < now ? last : last.AddDays(-1));
    }
}
