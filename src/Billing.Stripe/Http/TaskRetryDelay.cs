namespace Billing.Stripe.Http;

/// <summary>The real wait: <see cref="Task.Delay(TimeSpan, CancellationToken)"/>.</summary>
internal sealed class TaskRetryDelay : IStripeRetryDelay
{
    public static readonly TaskRetryDelay Instance = new();

    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
}
