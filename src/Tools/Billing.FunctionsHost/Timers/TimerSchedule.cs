using System.Globalization;
using Billing.FunctionsHost.Configuration;
using NCrontab;

namespace Billing.FunctionsHost.Timers;

/// <summary>A timer schedule in UTC: NCRONTAB with 6 fields (seconds) or 5, or a constant TimeSpan interval.</summary>
internal abstract class TimerSchedule
{
    public abstract DateTimeOffset Next(DateTimeOffset after);

    /// <summary>More often than once a minute: the real host turns the schedule monitor off for these.</summary>
    public abstract bool IsSubMinute(DateTimeOffset now);

    public static TimerSchedule Parse(string expression, string usedBy)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is 5 or 6)
        {
            var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
            return schedule is null
                ? throw new HostStartupException($"{usedBy}: '{expression}' is not a valid NCRONTAB expression.")
                : new Cron(schedule);
        }

        return TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero
            ? new Interval(interval)
            : throw new HostStartupException($"{usedBy}: '{expression}' is neither an NCRONTAB expression nor a TimeSpan.");
    }

    private sealed class Cron(CrontabSchedule schedule) : TimerSchedule
    {
        public override DateTimeOffset Next(DateTimeOffset after) =>
            new(DateTime.SpecifyKind(schedule.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc));

        /// <summary>
        /// As the real host decides it (TimerSchedule.ShouldDisableScheduleMonitor): only when every field above the
        /// seconds is <c>*</c> and more than one occurrence falls within the next minute.
        /// </summary>
        public override bool IsSubMinute(DateTimeOffset now) =>
            schedule.ToString().Split(' ').Skip(1).All(field => field == "*")
            && schedule.GetNextOccurrences(now.UtcDateTime, now.UtcDateTime.AddMinutes(1)).Skip(1).Any();
    }

    private sealed class Interval(TimeSpan interval) : TimerSchedule
    {
        public override DateTimeOffset Next(DateTimeOffset after) => after + interval;

        public override bool IsSubMinute(DateTimeOffset now) => interval < TimeSpan.FromMinutes(1);
    }
}
