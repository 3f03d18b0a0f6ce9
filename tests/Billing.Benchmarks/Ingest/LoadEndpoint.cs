namespace Billing.Benchmarks.Ingest;

/// <summary>An endpoint under load, named for the report.</summary>
internal sealed record LoadEndpoint(string Name, Uri Path)
{
    public const string IngestName = "ingest";

    /// <summary>Where the webhook ingest (verify the signature, store the event, enqueue it) is served.</summary>
    public static readonly Uri DefaultIngestPath = new("/api/stripe/webhook", UriKind.Relative);

    /// <summary>The same server's benchmark-only endpoint that reads the body and answers 200 (Benchmarks:BareEndpoint).</summary>
    public static readonly LoadEndpoint Bare = new("bare", new Uri("/api/benchmark/bare", UriKind.Relative));

    public bool IsIngest => Name == IngestName;

    public string Describe => $"POST {Path}";

    /// <summary>The webhook ingest at <paramref name="path"/>.</summary>
    public static LoadEndpoint Ingest(Uri path) => new(IngestName, path);
}
