using Billing.Stripe.Common;
using Billing.Stripe.Http;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.Invoices;

/// <inheritdoc />
public sealed class InvoiceService : IInvoiceService
{
    private const string BasePath = "/v1/invoices";
    private readonly StripeRequestor requestor;

    internal InvoiceService(StripeRequestor requestor) => this.requestor = requestor;

    public Task<StripeInvoice> CreateAsync(InvoiceCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return requestor.PostAsync(BasePath, FormEncoder.Encode(request, StripeJsonContext.Default.InvoiceCreateRequest), StripeJsonContext.Default.StripeInvoice, requestOptions, cancellationToken);
    }

    public Task<StripeInvoice> FinalizeAsync(string id, InvoiceFinalizeRequest? request = null, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default) =>
        requestor.PostAsync(StripePath.Of(BasePath, id, "/finalize"), FormEncoder.Encode(request ?? new InvoiceFinalizeRequest(), StripeJsonContext.Default.InvoiceFinalizeRequest), StripeJsonContext.Default.StripeInvoice, requestOptions, cancellationToken);

    public Task<StripeInvoice> PayAsync(string id, InvoicePayRequest? request = null, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default) =>
        requestor.PostAsync(StripePath.Of(BasePath, id, "/pay"), FormEncoder.Encode(request ?? new InvoicePayRequest(), StripeJsonContext.Default.InvoicePayRequest), StripeJsonContext.Default.StripeInvoice, requestOptions, cancellationToken);

    public Task<StripeInvoice> GetAsync(string id, RetrieveRequest? request = null, CancellationToken cancellationToken = default) =>
        requestor.GetAsync(StripePath.Of(BasePath, id), RetrieveQuery.Encode(request), StripeJsonContext.Default.StripeInvoice, cancellationToken);

    public Task<StripeList<StripeInvoice>> ListAsync(InvoiceListRequest? request = null, CancellationToken cancellationToken = default) =>
        requestor.GetAsync(BasePath, FormEncoder.Encode(request ?? new InvoiceListRequest(), StripeJsonContext.Default.InvoiceListRequest), StripeJsonContext.Default.StripeListStripeInvoice, cancellationToken);

    public IAsyncEnumerable<StripeInvoice> ListAutoPagingAsync(InvoiceListRequest? request = null, CancellationToken cancellationToken = default)
    {
        var first = request ?? new InvoiceListRequest();
        return StripePaging.ListAllAsync((after, ct) => ListAsync(first with { StartingAfter = after }, ct), first.StartingAfter, cancellationToken);
    }
}
