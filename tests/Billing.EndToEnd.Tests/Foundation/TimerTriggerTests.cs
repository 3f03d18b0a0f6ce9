using System.Text.Json;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Foundation;

/// <summary>The timer trigger of the real worker under the local host: a run missed while the app was down fires once, past due, then the schedule runs on time.</summary>
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
            JsonSerializer.Serialize(new { Last = missed.AddMonths(-1), Next = missed, LastUpdated = missed.AddMonths(-1) }));

        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["MONTHLY_INVOICING_SCHEDULE"] = "*/2 * * * * *";
        await using var app = await FunctionAppProcess.StartAsync(settings, stateDirectory: state);

        await app.WaitForOutputAsync("Monthly invoicing fired (past due: True");
        await app.WaitForOutputAsync("Monthly invoicing fired (past due: False", count: 2, timeout: TimeSpan.FromSeconds(15));
        Assert.Equal(1, app.CountOutput("past due: True"));
    }
}
