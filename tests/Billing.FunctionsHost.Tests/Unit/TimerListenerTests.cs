using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Timers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Billing.FunctionsHost.Tests.Unit;

public sealed class TimerListenerTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 30, TimeSpan.Zero);
    private readonly FakeTimeProvider time = new(Start);
    private readonly ScheduleStatusStore store = new(Infrastructure.TestPaths.NewTempDirectory(), NullLogger.Instance);
    private readonly List<(DateTimeOffset At, string TimerInfo)> runs = [];

    [Fact]
    public void A_first_start_saves_the_next_occurrence_without_running()
    {
        var listener = Create("0 */5 * * * *");

        var status = listener.Initialize(Start);

        Assert.Equal(ScheduleStatus.Never, status.Last);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 12, 5, 0, TimeSpan.Zero), status.Next);
        Assert.Equal(status, store.Read("Tick"));
    }

    [Fact]
    public async Task An_occurrence_missed_before_the_first_run_is_past_due_on_the_next_start()
    {
        // ScheduleMonitor.CheckPastDueAsync writes the first status with LastUpdated = now: a host that stopped before
        // the first occurrence and starts again after it recomputes the same Next from LastUpdated, and runs it past due.
        Create("0 0 * * * *").Initialize(Start);
        time.Advance(TimeSpan.FromHours(2));
        using var stop = new CancellationTokenSource();
        var running = Create("0 0 * * * *").RunAsync(stop.Token);

        await WaitForRunsAsync(1);
        Assert.Contains("\"IsPastDue\":true", runs[0].TimerInfo, StringComparison.Ordinal);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public void A_timer_without_the_schedule_monitor_ignores_a_stored_status()
    {
        // useMonitor false: the real TimerListener has no ScheduleMonitor, so no stored status is read; Next comes from now.
        var last = Start.AddHours(-2).AddSeconds(-30);
        store.Write("Tick", new ScheduleStatus(last, last.AddHours(1), last));
        var listener = new TimerListener("Tick", "timer", TimerSchedule.Parse("0 0 * * * *", "test"), useMonitor: false, runOnStartup: false, store, time, Invoke);

        Assert.Equal(new DateTimeOffset(2026, 3, 10, 13, 0, 0, TimeSpan.Zero), listener.Initialize(Start).Next);
    }

    [Fact]
    public async Task A_start_exactly_at_the_next_occurrence_is_not_past_due()
    {
        // CheckPastDueAsync: past due only when now is after the recorded Next; at Next itself the timer fires on schedule.
        var last = Start.AddHours(-1);
        store.Write("Tick", new ScheduleStatus(last, Start, last));
        using var stop = new CancellationTokenSource();
        var running = new TimerListener("Tick", "timer", TimerSchedule.Parse("30 0 * * * *", "test"), useMonitor: true, runOnStartup: false, store, time, Invoke).RunAsync(stop.Token);

        await WaitForRunsAsync(1);
        Assert.Contains("\"IsPastDue\":false", runs[0].TimerInfo, StringComparison.Ordinal);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task A_missed_occurrence_runs_once_past_due_then_follows_the_schedule()
    {
        var last = Start.AddHours(-3).AddSeconds(-30);
        store.Write("Tick", new ScheduleStatus(last, last.AddHours(1), last));
        using var stop = new CancellationTokenSource();
        var running = Create("0 0 * * * *").RunAsync(stop.Token);

        await WaitForRunsAsync(1);
        Assert.Contains("\"IsPastDue\":true", runs[0].TimerInfo, StringComparison.Ordinal);
        Assert.Equal(Start, store.Read("Tick")!.Last);
        Assert.Equal(Start.AddMinutes(59).AddSeconds(30), store.Read("Tick")!.Next);

        time.Advance(TimeSpan.FromMinutes(59).Add(TimeSpan.FromSeconds(30)));
        await WaitForRunsAsync(2);
        Assert.Contains("\"IsPastDue\":false", runs[1].TimerInfo, StringComparison.Ordinal);
        Assert.Equal(Start.AddMinutes(59).AddSeconds(30), runs[1].At);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task Run_on_startup_fires_once_at_start_when_nothing_is_past_due()
    {
        using var stop = new CancellationTokenSource();
        var listener = new TimerListener("Tick", "timer", TimerSchedule.Parse("0 0 * * * *", "test"), useMonitor: true, runOnStartup: true, store, time, Invoke);
        var running = listener.RunAsync(stop.Token);

        await WaitForRunsAsync(1);
        Assert.Equal(Start, runs[0].At);
        Assert.Contains("\"IsPastDue\":false", runs[0].TimerInfo, StringComparison.Ordinal);
        Assert.Equal(Start.AddMinutes(59).AddSeconds(30), store.Read("Tick")!.Next);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task A_run_on_startup_just_before_an_occurrence_still_leaves_that_occurrence_to_run()
    {
        // TimerListener.InvokeJobFunction (azure-webjobs-sdk-extensions): only a scheduled run that fired early counts as
        // the occurrence it was scheduled for; a RunOnStartup (or past-due) run keeps its own time as Last, so Next stays
        // the occurrence that follows it.
        time.SetUtcNow(new DateTimeOffset(2026, 3, 10, 12, 59, 59, 500, TimeSpan.Zero));
        using var stop = new CancellationTokenSource();
        var listener = new TimerListener("Tick", "timer", TimerSchedule.Parse("0 0 * * * *", "test"), useMonitor: true, runOnStartup: true, store, time, Invoke);
        var running = listener.RunAsync(stop.Token);

        await WaitForRunsAsync(1);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 13, 0, 0, TimeSpan.Zero), store.Read("Tick")!.Next);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await WaitForRunsAsync(2);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 13, 0, 0, TimeSpan.Zero), runs[1].At);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public void A_changed_schedule_recomputes_next_from_now_when_it_would_be_in_the_past()
    {
        var last = Start.AddDays(-1);
        store.Write("Tick", new ScheduleStatus(last, last.AddMinutes(7), last));

        var status = Create("0 0 * * * *").Initialize(Start);

        Assert.Equal(new DateTimeOffset(2026, 3, 10, 13, 0, 0, TimeSpan.Zero), status.Next);
    }

    [Fact]
    public void A_changed_schedule_forgets_the_last_run_so_a_missed_new_occurrence_is_past_due_on_the_next_start()
    {
        // ScheduleMonitor.CheckPastDueAsync (azure-webjobs-sdk-extensions): on a schedule change Last is reset and
        // LastUpdated is the time Next was computed from; the next start recomputes from LastUpdated.
        var last = Start.AddDays(-1);
        store.Write("Tick", new ScheduleStatus(last, last.AddMinutes(7), last));

        var changed = Create("0 0 * * * *").Initialize(Start);
        var restarted = Create("0 0 * * * *").Initialize(Start.AddHours(2));

        Assert.Equal(new ScheduleStatus(ScheduleStatus.Never, new DateTimeOffset(2026, 3, 10, 13, 0, 0, TimeSpan.Zero), Start), changed);
        Assert.Equal(changed, restarted); // 13:00 was missed: past due at 14:00:30
    }

    [Fact]
    public void Timer_info_is_the_hosts_json_shape()
    {
        var status = new ScheduleStatus(ScheduleStatus.Never, Start, Start);

        var json = TimerListener.TimerInfoJson(status, isPastDue: true);

        Assert.Equal(
            """{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"0001-01-01T00:00:00+00:00","Next":"2026-03-10T12:00:30+00:00","LastUpdated":"2026-03-10T12:00:30+00:00"},"IsPastDue":true}""",
            json);
    }

    [Theory]
    [InlineData("*/2 * * * * *", true)]
    [InlineData("0 */5 * * * *", false)]
    [InlineData("*/5 * * * *", false)]
    [InlineData("*/10 5 * * * *", false)] // the real host looks at the fields, not the gaps: a minute field keeps the monitor
    [InlineData("*/10 0,1 * * * *", false)] // ... even when the next minute has several occurrences
    [InlineData("0,30 0 2 * * *", false)]
    [InlineData("0 * * * * *", false)]
    [InlineData("00:00:10", true)]
    [InlineData("01:00:00", false)]
    public void Sub_minute_schedules_are_recognised(string expression, bool subMinute)
    {
        Assert.Equal(subMinute, TimerSchedule.Parse(expression, "test").IsSubMinute(Start));
    }

    [Fact]
    public void A_bad_expression_is_a_startup_error()
    {
        Assert.Throws<Configuration.HostStartupException>(() => TimerSchedule.Parse("every day", "Function 'Tick'"));
    }

    private TimerListener Create(string expression) =>
        new("Tick", "timer", TimerSchedule.Parse(expression, "test"), useMonitor: true, runOnStartup: false, store, time, Invoke);

    private Task Invoke(InvocationInput input, CancellationToken cancellationToken)
    {
        lock (runs)
        {
            runs.Add((time.GetUtcNow(), input.Inputs[0].Data.Json));
        }

        return Task.CompletedTask;
    }

    private async Task WaitForRunsAsync(int count)
    {
        for (var i = 0; i < 500 && Volatile.Read(ref count) > runs.Count; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(count, runs.Count);
    }
}
