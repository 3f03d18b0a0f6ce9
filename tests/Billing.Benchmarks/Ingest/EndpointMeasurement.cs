namespace Billing.Benchmarks.Ingest;

/// <summary>Everything measured for one endpoint across the rounds: throughput of successful requests over the time spent
/// sending to it, latency percentiles of successful requests, and failures by kind.</summary>
internal sealed class EndpointMeasurement(LoadEndpoint endpoint)
{
    private readonly List<RequestSample> _samples = [];

    public LoadEndpoint Endpoint { get; } = endpoint;

    public TimeSpan BusyTime { get; private set; }

    public int Requests => _samples.Count;

    public int Succeeded => _samples.Count(s => s.Succeeded);

    public int Failed => Requests - Succeeded;

    /// <summary>Successful requests per second of the time this endpoint was under load; 0 when none succeeded.</summary>
    public double Throughput => BusyTime > TimeSpan.Zero ? Succeeded / BusyTime.TotalSeconds : 0;

    public LatencyStatistics? Latency => LatencyStatistics.Of(_samples.Where(s => s.Succeeded).Select(s => s.Latency));

    /// <summary>Failures grouped by kind, most frequent first, each with one example of the answer.</summary>
    public IReadOnlyList<(string Error, int Count, string? Example)> FailuresByKind =>
        _samples.Where(s => !s.Succeeded)
            .GroupBy(s => s.Error!)
            .Select(g => (g.Key, g.Count(), g.First().Detail))
            .OrderByDescending(g => g.Item2)
            .ToList();

    public void Add(BatchResult batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _samples.AddRange(batch.Samples);
        BusyTime += batch.Elapsed;
    }
}
