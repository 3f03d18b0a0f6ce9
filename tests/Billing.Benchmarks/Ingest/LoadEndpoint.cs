namespace Billing.Benchmarks.Ingest;

/// <summary>An endpoint under load, named for the report.</summary>
internal sealed record LoadEndpoint(string Name, Uri Path)
{
    /// <summary>The webhook ingest: verify the signature, store the event, enqueue it.</summary>
    public static readonly LoadEndpoint Ingest = new("ingest", new Uri("/api/stripe/webhook", UriKind.Relative));

    /// <summary>The same server's benchmark-only endpoint that reads the body and answers 200 (Benchmarks:BareEndpoint).</summary>
    public static readonly LoadEndpoint Bare = new("bare", new Uri("/api/benchmark/bare", UriKind.Relative));

    public string Describe => $"POST {Path}";
}
