namespace Billing.FunctionsHost.Queues;

/// <summary>
/// The queue listener's idle delay, as the real listener's RandomizedExponentialBackoffStrategy computes it: the
/// minimum first, then minimum + 2^(n-1) x minimum x a random factor in [0.8, 1.2] after each further empty poll,
/// then the maximum, which stays; after a poll that found messages it starts again from the minimum.
/// </summary>
internal sealed class RandomizedExponentialBackoff(TimeSpan minimum, TimeSpan maximum, Random random)
{
    private const double RandomizationFactor = 0.2;
    private readonly TimeSpan minimum = minimum;
    private uint exponent;

    public TimeSpan Current { get; private set; } = TimeSpan.Zero;

    public TimeSpan Next()
    {
        if (Current == maximum)
        {
            return Current;
        }

        var delay = minimum;
        if (exponent > 0)
        {
            var factor = 1 - RandomizationFactor + (random.NextDouble() * 2 * RandomizationFactor);
            delay += TimeSpan.FromMilliseconds(factor * Math.Pow(2, exponent - 1) * minimum.TotalMilliseconds);
        }

        if (delay < maximum)
        {
            Current = delay;
            exponent++;
        }
        else
        {
            Current = maximum;
        }

        return Current;
    }

    public void Reset()
    {
        exponent = 0;
        Current = TimeSpan.Zero;
    }
}
