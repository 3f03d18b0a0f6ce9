using Billing.Stripe.Http;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.Meters;

/// <inheritdoc />
public sealed class MeterEventService : IMeterEventService
{
    private const string BasePath = "/v1/billing/meter_events";
    private readonly StripeRequestor requestor;

    internal MeterEventService(StripeRequestor requestor) => this.requestor = requestor;

    public Task<StripeMeterEvent> CreateAsync(MeterEventCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return requestor.PostAsync(BasePath, FormEncoder.Encode(request, StripeJsonContext.Default.MeterEventCreateRequest), StripeJsonContext.Default.StripeMeterEvent, requestOptions, cancellationToken);
    }
}
