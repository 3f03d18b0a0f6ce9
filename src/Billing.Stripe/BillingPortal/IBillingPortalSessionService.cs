namespace Billing.Stripe.BillingPortal;

/// <summary>/v1/billing_portal/sessions.</summary>
public interface IBillingPortalSessionService
{
    Task<StripeBillingPortalSession> CreateAsync(BillingPortalSessionCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default);
}
