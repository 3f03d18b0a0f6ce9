using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Billing.FunctionsHost.Tests.Infrastructure;

/// <summary>A <see cref="FakeTimeProvider"/> that also reports every timer created on it (a Task.Delay), by due time.</summary>
internal sealed class ClockWithTimers : FakeTimeProvider
{
    private readonly Channel<TimeSpan> created = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer created (in creation order; each is reported once).</summary>
    public async Task<TimeSpan> NextTimerAsync() => await created.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Forgets the timers created so far.</summary>
    public void ForgetTimers()
    {
        while (created.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Waits for a timer due in exactly <paramref name="dueTime"/>, skipping others.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        try
        {
            while (await NextTimerAsync() != dueTime)
            {
            }
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"No timer due in {dueTime} was created.", e);
        }
    }

    /// <summary>Waits for a timer due in exactly <paramref name="dueTime"/> (skipping others) and moves time past it.</summary>
    public async Task AdvanceThroughAsync(TimeSpan dueTime)
    {
        await WaitForTimerAsync(dueTime);
        Advance(dueTime);
    }
}
