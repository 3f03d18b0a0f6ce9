namespace Billing.Stripe.Meters;

/// <summary>/v1/billing/meter_events.</summary>
public interface IMeterEventService
{
    /// <summary>Report usage. Use an idempotency key (or <see cref="MeterEventCreateRequest.Identifier"/>) derived from the usage record.</summary>
    Task<StripeMeterEvent> CreateAsync(MeterEventCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default);
}
