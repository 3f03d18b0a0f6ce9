using Billing.Stripe.Common;
using Billing.Stripe.Http;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.Prices;

/// <inheritdoc />
public sealed class PriceService : IPriceService
{
    private const string BasePath = "/v1/prices";
    private readonly StripeRequestor requestor;

    internal PriceService(StripeRequestor requestor) => this.requestor = requestor;

    public Task<StripePrice> GetAsync(string id, RetrieveRequest? request = null, CancellationToken cancellationToken = default) =>
        requestor.GetAsync(StripePath.Of(BasePath, id), RetrieveQuery.Encode(request), StripeJsonContext.Default.StripePrice, cancellationToken);

    public Task<StripeList<StripePrice>> ListAsync(PriceListRequest? request = null, CancellationToken cancellationToken = default) =>
        requestor.GetAsync(BasePath, FormEncoder.Encode(request ?? new PriceListRequest(), StripeJsonContext.Default.PriceListRequest), StripeJsonContext.Default.StripeListStripePrice, cancellationToken);

    public IAsyncEnumerable<StripePrice> ListAutoPagingAsync(PriceListRequest? request = null, CancellationToken cancellationToken = default)
    {
        var first = request ?? new PriceListRequest();
        return StripePaging.ListAllAsync((after, ct) => ListAsync(first with { StartingAfter = after }, ct), first.StartingAfter, cancellationToken);
    }
}
