using Billing.Stripe.Common;

namespace Billing.Stripe.Customers;

/// <summary>/v1/customers.</summary>
public interface ICustomerService
{
    Task<StripeCustomer> CreateAsync(CustomerCreateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default);

    Task<StripeCustomer> GetAsync(string id, RetrieveRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>One page of a search (search is eventually consistent: new customers appear within about a minute).</summary>
    Task<StripeSearchResult<StripeCustomer>> SearchAsync(CustomerSearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Every match, page after page.</summary>
    IAsyncEnumerable<StripeCustomer> SearchAutoPagingAsync(CustomerSearchRequest request, CancellationToken cancellationToken = default);
}
