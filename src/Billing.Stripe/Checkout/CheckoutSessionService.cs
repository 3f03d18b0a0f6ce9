using Billing.Stripe.Common;
using Billing.Stripe.Http;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.Checkout;

/// <inheritdoc />
public sealed class CheckoutSessionService : ICheckoutSessionService
{
    private const string BasePath = "/v1/checkout/sessions";
    private static readonly RetrieveRequest WithLineItems = RetrieveRequest.Expanding("line_items");
    private readonly StripeRequestor requestor;

    internal CheckoutSessionService(StripeRequestor requestor) => this.requestor = requestor;

    public Task<StripeCheckoutSession> CreateAsync(CheckoutSessionCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return requestor.PostAsync(BasePath, FormEncoder.Encode(request, StripeJsonContext.Default.CheckoutSessionCreateRequest), StripeJsonContext.Default.StripeCheckoutSession, requestOptions, cancellationToken);
    }

    public Task<StripeCheckoutSession> GetAsync(string id, RetrieveRequest? request = null, CancellationToken cancellationToken = default) =>
        requestor.GetAsync(StripePath.Of(BasePath, id), RetrieveQuery.Encode(request), StripeJsonContext.Default.StripeCheckoutSession, cancellationToken);

    public Task<StripeCheckoutSession> GetWithLineItemsAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync(id, WithLineItems, cancellationToken);
}
