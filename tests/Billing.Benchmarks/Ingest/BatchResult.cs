namespace Billing.Benchmarks.Ingest;

/// <summary>The samples of one batch and its wall-clock time.</summary>
internal sealed record BatchResult(LoadEndpoint Endpoint, IReadOnlyList<RequestSample> Samples, TimeSpan Elapsed)
{
    public int Succeeded => Samples.Count(s => s.Succeeded);

    public int Failed => Samples.Count - Succeeded;

    public string Summary => $"{Endpoint.Name} {Samples.Count} sent, {Succeeded} ok, {Failed} failed in {Elapsed.TotalSeconds:0.00} s";
}
