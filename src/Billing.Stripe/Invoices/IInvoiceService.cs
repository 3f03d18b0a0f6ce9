using Billing.Stripe.Common;

namespace Billing.Stripe.Invoices;

/// <summary>/v1/invoices.</summary>
public interface IInvoiceService
{
    Task<StripeInvoice> CreateAsync(InvoiceCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default);

    Task<StripeInvoice> FinalizeAsync(string id, InvoiceFinalizeRequest? request = null, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default);

    Task<StripeInvoice> PayAsync(string id, InvoicePayRequest? request = null, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default);

    Task<StripeInvoice> GetAsync(string id, RetrieveRequest? request = null, CancellationToken cancellationToken = default);

    Task<StripeList<StripeInvoice>> ListAsync(InvoiceListRequest? request = null, CancellationToken cancellationToken = default);

    IAsyncEnumerable<StripeInvoice> ListAutoPagingAsync(InvoiceListRequest? request = null, CancellationToken cancellationToken = default);
}
