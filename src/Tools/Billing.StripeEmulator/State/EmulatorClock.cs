namespace Billing.StripeEmulator.State;

/// <summary>
/// The emulator's own clock: the injected <see cref="TimeProvider"/> plus an offset that only grows
/// (`POST /_emulator/clock/advance`). Every Stripe timestamp comes from here; webhook signatures use real time.
/// </summary>
internal sealed class EmulatorClock(TimeProvider time)
{
    private long _offsetSeconds;

    public long OffsetSeconds => Interlocked.Read(ref _offsetSeconds);

    public long UnixNow() => RealUnixNow() + OffsetSeconds;

    public long RealUnixNow() => time.GetUtcNow().ToUnixTimeSeconds();

    public void AdvanceBy(long seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        Interlocked.Add(ref _offsetSeconds, seconds);
    }

    public void Reset() => Interlocked.Exchange(ref _offsetSeconds, 0);
}
