using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Billing.FunctionsHost.FixtureApp;

internal sealed partial class TimerFunctions(ILogger<TimerFunctions> logger)
{
    /// <summary>Writes one file per run (start, end, IsPastDue) into FIXTURE_RECORD_DIR; sleeps FIXTURE_TIMER_DELAY_MS.</summary>
    [Function("Tick")]
    public async Task Tick([TimerTrigger("%FIXTURE_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        LogTick(logger, timer.IsPastDue);
        var delay = int.TryParse(Environment.GetEnvironmentVariable("FIXTURE_TIMER_DELAY_MS"), CultureInfo.InvariantCulture, out var ms) ? ms : 0;
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        if (Environment.GetEnvironmentVariable("FIXTURE_RECORD_DIR") is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
            var record = JsonSerializer.Serialize(new { started, ended = DateTimeOffset.UtcNow, timer.IsPastDue, last = timer.ScheduleStatus?.Last });
            var path = Path.Combine(directory, $"tick-{started.UtcTicks}-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(path + ".tmp", record, cancellationToken).ConfigureAwait(false);
            File.Move(path + ".tmp", path);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fixture tick IsPastDue={IsPastDue}")]
    private static partial void LogTick(ILogger logger, bool isPastDue);
}
