using System.Text.Json;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Foundation;

/// <summary>The standalone cron scheduler of the real server: fires on the function's schedule and reports a run missed while the app was down as past due.</summary>
public sealed class TimerTriggerTests
{
    [Fact]
    public async Task A_missed_run_is_reported_past_due_then_the_schedule_fires_on_time()
    {
        var emulators = await LocalEmulators.GetAsync();
        var state = Directory.CreateTempSubdirectory("billing-timer-state-").FullName;
        Directory.CreateDirectory(Path.Combine(state, "timers"));
        var missed = DateTimeOffset.UtcNow.AddHours(-3);
        await File.WriteAllTextAsync(
            Path.Combine(state, "timers", "MonthlyInvoicing.json"),
            JsonSerializer.Serialize(new { last = missed.AddMonths(-1), next = missed, lastUpdated = missed.AddMonths(-1) }));

        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["MONTHLY_INVOICING_SCHEDULE"] = "*/2 * * * * *";
        settings["Standalone__StateDirectory"] = state;
        await using var app = await FunctionAppProcess.StartAsync(settings);

        await app.WaitForOutputAsync("missed its run at");
        await app.WaitForOutputAsync("Monthly invoicing fired (past due: True");
        await app.WaitForOutputAsync("Monthly invoicing fired (past due: False", count: 2, timeout: TimeSpan.FromSeconds(15));
        Assert.Equal(1, app.CountOutput("past due: True"));

        using var status = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(state, "timers", "MonthlyInvoicing.json")));
        Assert.True(status.RootElement.GetProperty("next").GetDateTimeOffset() > missed);
    }
}
