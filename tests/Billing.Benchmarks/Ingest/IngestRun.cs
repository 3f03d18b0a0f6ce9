namespace Billing.Benchmarks.Ingest;

/// <summary>What a finished (or stopped) run measured, with the facts a reader needs to judge the figures.</summary>
internal sealed record IngestRun
{
    public required IngestOptions Options { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required string Target { get; init; }

    public required string BodySource { get; init; }

    public required int BodyBytes { get; init; }

    public required string Health { get; init; }

    public required EndpointMeasurement Bare { get; init; }

    public required EndpointMeasurement Ingest { get; init; }

    public required int RoundsCompleted { get; init; }

    /// <summary>Ingest requests of the warm-up that succeeded (their events are stored and enqueued too).</summary>
    public required int WarmupIngestSucceeded { get; init; }

    /// <summary>How many warm-up requests went to each endpoint, in words.</summary>
    public required string WarmupSent { get; init; }

    /// <summary>Why the run ended before sending everything (time budget, Ctrl+C, server exit); null when complete.</summary>
    public string? StoppedEarly { get; init; }

    public string? Queue { get; init; }

    public string? LoadBefore { get; init; }

    public string? LoadAfter { get; init; }

    public bool HasErrors => Bare.Failed > 0 || Ingest.Failed > 0 || StoppedEarly is not null;
}
