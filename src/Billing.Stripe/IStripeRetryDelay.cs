namespace Billing.Stripe;

/// <summary>Waits between retries. Replace it in tests to switch sleeping off and record the delays.</summary>
public interface IStripeRetryDelay
{
    Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
}
