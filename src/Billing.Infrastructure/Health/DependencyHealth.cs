using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Billing.Infrastructure.Health;

/// <summary>
/// Runs every dependency check in parallel, each bounded by <see cref="CheckTimeout"/>, and reports them all; the
/// function app maps the report to HTTP. A check that throws or runs out of time is unhealthy, never an exception here.
/// </summary>
public sealed partial class DependencyHealth
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);

    private readonly IReadOnlyList<IDependencyCheck> _checks;
    private readonly TimeProvider _time;
    private readonly ILogger<DependencyHealth> _logger;

    internal DependencyHealth(IEnumerable<IDependencyCheck> checks, TimeProvider time, ILogger<DependencyHealth> logger)
    {
        _checks = checks.ToList();
        _time = time;
        _logger = logger;
    }

    public async Task<DependencyHealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var statuses = await Task.WhenAll(_checks.Select(check => RunAsync(check, cancellationToken))).ConfigureAwait(false);
        return new DependencyHealthReport(statuses);
    }

    private async Task<DependencyStatus> RunAsync(IDependencyCheck check, CancellationToken cancellationToken)
    {
        await Task.Yield(); // a check that blocks before its first await must not hold up the others
        var started = Stopwatch.GetTimestamp();
        using var deadline = new CancellationTokenSource(CheckTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        bool healthy;
        string detail;
        try
        {
            (healthy, detail) = await check.CheckAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            (healthy, detail) = (false, $"No answer within {CheckTimeout.TotalSeconds:0} s.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Only the type: an unexpected exception's message may hold anything.
            (healthy, detail) = (false, $"The check failed ({exception.GetType().Name}).");
            LogCheckFailed(exception, check.Name);
        }

        if (!healthy)
        {
            LogUnhealthy(check.Name, detail);
        }

        return new DependencyStatus(check.Name, healthy, detail, Stopwatch.GetElapsedTime(started));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dependency {Dependency} is unhealthy: {Detail}")]
    private partial void LogUnhealthy(string dependency, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "The health check of {Dependency} threw")]
    private partial void LogCheckFailed(Exception exception, string dependency);
}
