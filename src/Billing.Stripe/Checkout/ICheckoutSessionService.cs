using Billing.Stripe.Common;

namespace Billing.Stripe.Checkout;

/// <summary>/v1/checkout/sessions.</summary>
public interface ICheckoutSessionService
{
    Task<StripeCheckoutSession> CreateAsync(CheckoutSessionCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default);

    Task<StripeCheckoutSession> GetAsync(string id, RetrieveRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>Retrieve with <c>expand[]=line_items</c>, so <see cref="StripeCheckoutSession.LineItems"/> is filled.</summary>
    Task<StripeCheckoutSession> GetWithLineItemsAsync(string id, CancellationToken cancellationToken = default);
}
