using Billing.Stripe.Http;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.InvoiceItems;

/// <inheritdoc />
public sealed class InvoiceItemService : IInvoiceItemService
{
    private const string BasePath = "/v1/invoiceitems";
    private readonly StripeRequestor requestor;

    internal InvoiceItemService(StripeRequestor requestor) => this.requestor = requestor;

    public Task<StripeInvoiceItem> CreateAsync(InvoiceItemCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return requestor.PostAsync(BasePath, FormEncoder.Encode(request, StripeJsonContext.Default.InvoiceItemCreateRequest), StripeJsonContext.Default.StripeInvoiceItem, requestOptions, cancellationToken);
    }
}
