using System.Globalization;
using System.Text.Json;
using Billing.FunctionsHost.Functions;

namespace Billing.FunctionsHost.Timers;

/// <summary>
/// One timer trigger (WebJobs TimerListener semantics, UTC): past-due detection from the persisted status (one run
/// with IsPastDue=true however many were missed), runOnStartup, one run at a time, status saved after each run.
/// </summary>
internal sealed class TimerListener(
    string functionName,
    string bindingName,
    TimerSchedule schedule,
    bool useMonitor,
    bool runOnStartup,
    ScheduleStatusStore store,
    TimeProvider time,
    Func<InvocationInput, CancellationToken, Task> invoke)
{
    private static readonly TimeSpan LongestDelay = TimeSpan.FromHours(12);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var status = Initialize(time.GetUtcNow());
        if (useMonitor && time.GetUtcNow() > status.Next)
        {
            status = await RunOnceAsync(status, isPastDue: true, scheduled: false, cancellationToken).ConfigureAwait(false);
        }
        else if (runOnStartup)
        {
            status = await RunOnceAsync(status, isPastDue: false, scheduled: false, cancellationToken).ConfigureAwait(false);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            for (var now = time.GetUtcNow(); now < status.Next; now = time.GetUtcNow())
            {
                var wait = status.Next - now;
                await Task.Delay(wait < LongestDelay ? wait : LongestDelay, time, cancellationToken).ConfigureAwait(false);
            }

            status = await RunOnceAsync(status, isPastDue: false, scheduled: true, cancellationToken).ConfigureAwait(false);
        }

        // Stopped between two runs: end as a stop during a wait does, whenever it comes (the host expects that).
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Reads the stored status, or starts one; a status that no longer fits the schedule is recomputed.</summary>
    internal ScheduleStatus Initialize(DateTimeOffset now)
    {
        var stored = useMonitor ? store.Read(functionName) : null;
        if (stored is null)
        {
            var fresh = new ScheduleStatus(ScheduleStatus.Never, schedule.Next(now), now);
            Save(fresh);
            return fresh;
        }

        // As the real host's ScheduleMonitor: Next is expected from Last, else from LastUpdated, else from now. A changed
        // schedule forgets Last and records in LastUpdated the time the new Next was computed from (now if the
        // expected one is already past), so a later start still sees a missed new occurrence as past due.
        var from = stored.Last != ScheduleStatus.Never ? stored.Last : stored.LastUpdated != ScheduleStatus.Never ? stored.LastUpdated : now;
        var next = schedule.Next(from);
        if (next == stored.Next)
        {
            return stored;
        }

        if (now > next)
        {
            (from, next) = (now, schedule.Next(now));
        }

        var recomputed = new ScheduleStatus(ScheduleStatus.Never, next, from);
        Save(recomputed);
        return recomputed;
    }

    internal static string TimerInfoJson(ScheduleStatus? status, bool isPastDue) =>
        JsonSerializer.Serialize(new { Schedule = new { AdjustForDST = true }, ScheduleStatus = status, IsPastDue = isPastDue });

    private async Task<ScheduleStatus> RunOnceAsync(ScheduleStatus status, bool isPastDue, bool scheduled, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var timerInfo = TimerInfoJson(useMonitor ? status : null, isPastDue);
        var input = new InvocationInput(
            [TypedDataFactory.Binding(bindingName, TypedDataFactory.Json(timerInfo))],
            new Dictionary<string, Rpc.TypedData> { ["TimerTrigger"] = TypedDataFactory.String(started.ToLocalTime().ToString(CultureInfo.CurrentCulture)) },
            $"Timer fired at {started:O}");
        await invoke(input, cancellationToken).ConfigureAwait(false);

        // Errors never stop the schedule. A scheduled run that fired early counts as the occurrence it was scheduled for;
        // a past-due or run-on-startup run keeps its own time, so the occurrence after it still runs (the real host's
        // TimerListener.InvokeJobFunction adjusts only when neither isPastDue nor runOnStartup).
        var last = scheduled && started < status.Next ? status.Next : started;
        var next = new ScheduleStatus(last, schedule.Next(last), last);
        Save(next);
        return next;
    }

    private void Save(ScheduleStatus status)
    {
        if (useMonitor)
        {
            store.Write(functionName, status);
        }
    }
}
