using Billing.Stripe.Http;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.BillingPortal;

/// <inheritdoc />
public sealed class BillingPortalSessionService : IBillingPortalSessionService
{
    private const string BasePath = "/v1/billing_portal/sessions";
    private readonly StripeRequestor requestor;

    internal BillingPortalSessionService(StripeRequestor requestor) => this.requestor = requestor;

    public Task<StripeBillingPortalSession> CreateAsync(BillingPortalSessionCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return requestor.PostAsync(BasePath, FormEncoder.Encode(request, StripeJsonContext.Default.BillingPortalSessionCreateRequest), StripeJsonContext.Default.StripeBillingPortalSession, requestOptions, cancellationToken);
    }
}
