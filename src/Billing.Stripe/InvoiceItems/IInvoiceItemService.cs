namespace Billing.Stripe.InvoiceItems;

/// <summary>/v1/invoiceitems.</summary>
public interface IInvoiceItemService
{
    Task<StripeInvoiceItem> CreateAsync(InvoiceItemCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default);
}
