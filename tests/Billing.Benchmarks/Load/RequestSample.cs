namespace Billing.Benchmarks.Load;

/// <summary>One request's outcome: its latency (sending the request to reading the whole answer) and, when it failed, what
/// went wrong (e.g. "HTTP 404 NotFound", "timeout") with the start of the answer for diagnosis.</summary>
internal readonly record struct RequestSample(TimeSpan Latency, string? Error, string? Detail)
{
    public bool Succeeded => Error is null;
}
