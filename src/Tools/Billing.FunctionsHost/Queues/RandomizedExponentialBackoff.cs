namespace Billing.FunctionsHost.Queues;

/// <summary>
/// The queue listener's idle delay: starts at the minimum, roughly doubles (±20% jitter) after each empty poll,
/// is capped at maxPollingInterval and resets after a poll that found messages.
/// </summary>
internal sealed class RandomizedExponentialBackoff(TimeSpan minimum, TimeSpan maximum, Random random)
{
    private readonly TimeSpan minimum = minimum;
    private const double Jitter = 0.2;
    private int attempt;

    public TimeSpan Current { get; private set; } = minimum;

    public TimeSpan Next()
    {
        var doubled = minimum.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        attempt++;
        var jittered = doubled * (1 + ((random.NextDouble() * 2) - 1) * Jitter);
        Current = TimeSpan.FromMilliseconds(Math.Clamp(jittered, minimum.TotalMilliseconds, maximum.TotalMilliseconds));
        return Current;
    }

    public void Reset()
    {
        attempt = 0;
        Current = minimum;
    }
}
