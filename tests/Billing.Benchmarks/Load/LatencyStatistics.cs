namespace Billing.Benchmarks.Load;

/// <summary>Latency percentiles (nearest rank) of a set of requests.</summary>
internal sealed record LatencyStatistics(int Count, TimeSpan P50, TimeSpan P90, TimeSpan P99, TimeSpan Max, TimeSpan Mean)
{
    public static LatencyStatistics? Of(IEnumerable<TimeSpan> latencies)
    {
        var sorted = latencies.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        return new LatencyStatistics(
            sorted.Length,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.90),
            Percentile(sorted, 0.99),
            sorted[^1],
            TimeSpan.FromTicks((long)sorted.Average(t => t.Ticks)));
    }

    /// <summary>The smallest value that at least <paramref name="fraction"/> of the values do not exceed.</summary>
    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> sorted, double fraction)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
