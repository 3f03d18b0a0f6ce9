using System.Diagnostics;

namespace Billing.Benchmarks.Load;

/// <summary>
/// Closed-loop load for a fixed time: <c>concurrency</c> callers each start their next operation as soon as the
/// previous one ended, until the time is up (operations in flight then finish and count). An operation returns null
/// on success or a short error text; it is timed from its start to its end.
/// </summary>
internal static class LoadRunner
{
    public static Task<LoadResult> RunAsync(string name, int concurrency, TimeSpan duration, Func<CancellationToken, Task<string?>> operation, CancellationToken cancellationToken) =>
        RunAsync(name, concurrency, duration, (_, ct) => operation(ct), cancellationToken);

    /// <summary>As the other overload; the operation is told which caller (0 to concurrency - 1) runs it.</summary>
    public static async Task<LoadResult> RunAsync(string name, int concurrency, TimeSpan duration, Func<int, CancellationToken, Task<string?>> operation, CancellationToken cancellationToken)
    {
        var samples = new List<RequestSample>[concurrency];
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        async Task CallerAsync(int caller)
        {
            var mine = samples[caller] = [];
            while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
            {
                var begin = Stopwatch.GetTimestamp();
                string? error;
                try
                {
                    error = await operation(caller, cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    error = exception.GetType().Name + ": " + exception.Message.ReplaceLineEndings(" ");
                }

                mine.Add(new RequestSample(Stopwatch.GetElapsedTime(begin), error, null));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Task.Run(() => CallerAsync(i), CancellationToken.None)));
        var all = samples.SelectMany(s => s).ToList();
        return new LoadResult(name, concurrency, all, Stopwatch.GetElapsedTime(started));
    }
}

/// <summary>What one load level measured: throughput of successful operations, their latency, failures.</summary>
internal sealed record LoadResult(string Name, int Concurrency, IReadOnlyList<RequestSample> Samples, TimeSpan Elapsed)
{
    public int Ok => Samples.Count(s => s.Succeeded);

    public int Failed => Samples.Count - Ok;

    public double Throughput => Ok / Elapsed.TotalSeconds;

    public LatencyStatistics? Latency => LatencyStatistics.Of(Samples.Where(s => s.Succeeded).Select(s => s.Latency));

    public string? FirstError => Samples.FirstOrDefault(s => !s.Succeeded).Error;

    /// <summary>Combines the rounds of one target at one level.</summary>
    public static LoadResult Merge(IReadOnlyList<LoadResult> rounds) =>
        new(rounds[0].Name, rounds[0].Concurrency, rounds.SelectMany(r => r.Samples).ToList(), TimeSpan.FromTicks(rounds.Sum(r => r.Elapsed.Ticks)));

    public string Summary =>
        FormattableString.Invariant($"{Name} c={Concurrency}: {Ok} ok, {Failed} failed, {Throughput:0.0}/s, p50 {Ms(Latency?.P50)} ms, p99 {Ms(Latency?.P99)} ms{(FirstError is { } e ? " (first error: " + e + ")" : "")}");

    public static string Ms(TimeSpan? value) => value is { } v ? v.TotalMilliseconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
