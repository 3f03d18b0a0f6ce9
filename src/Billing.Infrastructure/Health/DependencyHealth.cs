using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Health;

/// <summary>
/// Runs every dependency check in parallel, each bounded by <see cref="CheckTimeout"/>, and reports them all; the
/// function app maps the report to HTTP. A check that throws or runs out of time is unhealthy, never an exception here.
/// A healthy report answers every call for <see cref="ReportLifetime"/>, and a round under way every call meanwhile:
/// <c>GET /api/health</c> is anonymous, and polling it must not spend the process's Stripe budget (one request per
/// round) or the stores' capacity. An unhealthy report answers for <see cref="UnhealthyReportLifetime"/> only, so a
/// recovery shows within a second, while a tight loop of calls during an outage still starts at most one round a second.
/// </summary>
public sealed partial class DependencyHealth
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan ReportLifetime = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan UnhealthyReportLifetime = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<IDependencyCheck> _checks;
    private readonly TimeProvider _time;
    private readonly ILogger<DependencyHealth> _logger;
    private readonly Lock _gate = new();
    private (DateTimeOffset StartedAt, Task<DependencyHealthReport> Report)? _last;

    internal DependencyHealth(IEnumerable<IDependencyCheck> checks, TimeProvider time, ILogger<DependencyHealth> logger)
    {
        _checks = checks.ToList();
        _time = time;
        _logger = logger;
    }

    /// <summary>The round under way, or the last report while it is younger than its lifetime, else a new round of checks; the caller's cancellation ends its wait only.</summary>
    public Task<DependencyHealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        Task<DependencyHealthReport> report;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_last is { } last
                && (!last.Report.IsCompleted || now - last.StartedAt < (last.Report is { IsCompletedSuccessfully: true, Result.IsHealthy: true } ? ReportLifetime : UnhealthyReportLifetime)))
            {
                report = last.Report;
            }
            else
            {
                report = RunAllAsync();
                _last = (now, report);
            }
        }

        return report.WaitAsync(cancellationToken);
    }

    private async Task<DependencyHealthReport> RunAllAsync()
    {
        var statuses = await Task.WhenAll(_checks.Select(RunAsync)).ConfigureAwait(false);
        return new DependencyHealthReport(statuses);
    }

    private async Task<DependencyStatus> RunAsync(IDependencyCheck check)
    {
        await Task.Yield(); // a check that blocks before its first await must not hold up the others
        var started = _time.GetTimestamp();
        using var deadline = new CancellationTokenSource(CheckTimeout, _time);
        var name = check.GetType().Name; // named by its type if even its name throws: the report, never an exception
        bool healthy;
        string detail;
        try
        {
            name = check.Name;
            // The wait is bounded too: a check whose client does not honour the token must not hold the round (and
            // every caller sharing it) past the deadline.
            (healthy, detail) = await check.CheckAsync(deadline.Token).WaitAsync(CheckTimeout, _time).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
            (healthy, detail) = (false, $"No answer within {CheckTimeout.TotalSeconds:0} s.");
        }
        catch (Exception exception)
        {
            // Only the type: an unexpected exception's message may hold anything.
            (healthy, detail) = (false, $"The check failed ({exception.GetType().Name}).");
            LogCheckFailed(exception, name);
        }

        if (!healthy)
        {
            LogUnhealthy(name, detail);
        }

        return new DependencyStatus(name, healthy, detail, _time.GetElapsedTime(started));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dependency {Dependency} is unhealthy: {Detail}")]
    private partial void LogUnhealthy(string dependency, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "The health check of {Dependency} threw")]
    private partial void LogCheckFailed(Exception exception, string dependency);
}
