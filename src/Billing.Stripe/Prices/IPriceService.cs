using Billing.Stripe.Common;

namespace Billing.Stripe.Prices;

/// <summary>/v1/prices.</summary>
public interface IPriceService
{
    Task<StripePrice> GetAsync(string id, RetrieveRequest? request = null, CancellationToken cancellationToken = default);

    Task<StripeList<StripePrice>> ListAsync(PriceListRequest? request = null, CancellationToken cancellationToken = default);

    IAsyncEnumerable<StripePrice> ListAutoPagingAsync(PriceListRequest? request = null, CancellationToken cancellationToken = default);
}
