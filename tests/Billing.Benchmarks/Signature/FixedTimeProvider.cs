namespace Billing.Benchmarks.Signature;

/// <summary>A clock that always reads the same instant, so every benchmarked signature stays within tolerance.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
