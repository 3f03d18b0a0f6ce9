namespace Billing.Stripe.Tests.Support;

/// <summary>Sleeping switched off: records each requested delay and returns at once (honouring cancellation).</summary>
internal sealed class RecordingRetryDelay : IStripeRetryDelay
{
    public List<TimeSpan> Delays { get; } = [];

    /// <summary>Runs during each delay (e.g. to cancel the caller's token while "waiting").</summary>
    public Action? OnDelay { get; set; }

    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        Delays.Add(delay);
        OnDelay?.Invoke();
        cancellationToken.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }
}
