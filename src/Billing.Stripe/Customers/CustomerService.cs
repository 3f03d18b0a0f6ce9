using Billing.Stripe.Common;
using Billing.Stripe.Http;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.Customers;

/// <inheritdoc />
public sealed class CustomerService : ICustomerService
{
    private const string BasePath = "/v1/customers";
    private readonly StripeRequestor requestor;

    internal CustomerService(StripeRequestor requestor) => this.requestor = requestor;

    public Task<StripeCustomer> CreateAsync(CustomerCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return requestor.PostAsync(BasePath, FormEncoder.Encode(request, StripeJsonContext.Default.CustomerCreateRequest), StripeJsonContext.Default.StripeCustomer, requestOptions, cancellationToken);
    }

    public Task<StripeCustomer> GetAsync(string id, RetrieveRequest? request = null, CancellationToken cancellationToken = default) =>
        requestor.GetAsync(StripePath.Of(BasePath, id), RetrieveQuery.Encode(request), StripeJsonContext.Default.StripeCustomer, cancellationToken);

    public Task<StripeSearchResult<StripeCustomer>> SearchAsync(CustomerSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return requestor.GetAsync(BasePath + "/search", FormEncoder.Encode(request, StripeJsonContext.Default.CustomerSearchRequest), StripeJsonContext.Default.StripeSearchResultStripeCustomer, cancellationToken);
    }

    public IAsyncEnumerable<StripeCustomer> SearchAutoPagingAsync(CustomerSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return StripePaging.SearchAllAsync((page, ct) => SearchAsync(request with { Page = page }, ct), request.Page, cancellationToken);
    }}
