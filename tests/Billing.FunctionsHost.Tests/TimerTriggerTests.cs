using System.Text.Json;
using Billing.FunctionsHost.Tests.Infrastructure;

namespace Billing.FunctionsHost.Tests;

public sealed class TimerTriggerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task A_schedule_missed_during_downtime_runs_once_past_due_and_saves_its_status()
    {
        var stateDir = TestPaths.NewTempDirectory();
        var records = TestPaths.NewTempDirectory();
        var last = DateTimeOffset.UtcNow.Date.AddDays(-2);
        var statusFile = Path.Combine(stateDir, "timers", "Tick.json");
        Directory.CreateDirectory(Path.GetDirectoryName(statusFile)!);
        await File.WriteAllTextAsync(statusFile, JsonSerializer.Serialize(new { Last = new DateTimeOffset(last), Next = new DateTimeOffset(last.AddDays(1)), LastUpdated = new DateTimeOffset(last) }));

        await using var host = await HostProcess.StartReadyAsync(
            new Dictionary<string, string> { ["FIXTURE_SCHEDULE"] = "0 0 0 * * *", ["FIXTURE_RECORD_DIR"] = records },
            stateDir: stateDir);

        var runs = await Wait.ForAsync(() => Task.FromResult(ReadRuns(records) is { Count: > 0 } r ? r : null), Deadline, "the past-due run");
        var run = Assert.Single(runs);
        Assert.True(run.IsPastDue);
        Assert.Equal(new DateTimeOffset(last), run.Last); // the worker is told when the timer last ran (TimerInfo.ScheduleStatus, as Azure's host tells it)
        await Wait.UntilAsync(() => ReadStatus(statusFile).Last > new DateTimeOffset(last), Deadline, "the saved status");
        var status = ReadStatus(statusFile);
        Assert.True(status.Next > DateTimeOffset.UtcNow);
        Assert.Single(ReadRuns(records));
    }

    [Fact]
    public async Task A_short_schedule_keeps_firing_and_never_overlaps_a_slow_run()
    {
        var records = TestPaths.NewTempDirectory();

        await using var host = await HostProcess.StartReadyAsync(new Dictionary<string, string>
        {
            // Every second, each run 1.5 s long: a run that did not wait for the previous one would start inside it.
            ["FIXTURE_SCHEDULE"] = "* * * * * *",
            ["FIXTURE_RECORD_DIR"] = records,
            ["FIXTURE_TIMER_DELAY_MS"] = "1500",
        });

        var runs = await Wait.ForAsync(() => Task.FromResult(ReadRuns(records) is { Count: >= 3 } r ? r : null), Deadline, "three timer runs");
        var ordered = runs.OrderBy(r => r.Started).ToArray();
        for (var i = 1; i < ordered.Length; i++)
        {
            Assert.True(ordered[i].Started >= ordered[i - 1].Ended, "a timer run started before the previous one ended");
        }

        Assert.All(ordered, r => Assert.False(r.IsPastDue));
        Assert.All(ordered, r => Assert.Null(r.Last)); // no monitor, no ScheduleStatus in TimerInfo (TimerListener.InvokeJobFunction)
        Assert.False(File.Exists(Path.Combine(host.StateDir, "timers", "Tick.json")), "sub-minute schedules run without the schedule monitor");
    }

    private static List<Run> ReadRuns(string directory) =>
        Directory.EnumerateFiles(directory, "tick-*.json")
            .Select(f => JsonSerializer.Deserialize<Run>(File.ReadAllText(f), JsonSerializerOptions.Web)!)
            .ToList();

    private static Status ReadStatus(string path) => JsonSerializer.Deserialize<Status>(File.ReadAllText(path))!;

    private sealed record Run(DateTimeOffset Started, DateTimeOffset Ended, bool IsPastDue, DateTimeOffset? Last);

    private sealed record Status(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated);
}
