using Billing.Stripe.Common;
using Billing.Stripe.Http;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.Subscriptions;

/// <inheritdoc />
public sealed class SubscriptionService : ISubscriptionService
{
    private const string BasePath = "/v1/subscriptions";
    private readonly StripeRequestor requestor;

    internal SubscriptionService(StripeRequestor requestor) => this.requestor = requestor;

    public Task<StripeSubscription> GetAsync(string id, RetrieveRequest? request = null, CancellationToken cancellationToken = default) =>
        requestor.GetAsync(StripePath.Of(BasePath, id), RetrieveQuery.Encode(request), StripeJsonContext.Default.StripeSubscription, cancellationToken);

    public Task<StripeList<StripeSubscription>> ListAsync(SubscriptionListRequest? request = null, CancellationToken cancellationToken = default) =>
        requestor.GetAsync(BasePath, FormEncoder.Encode(request ?? new SubscriptionListRequest(), StripeJsonContext.Default.SubscriptionListRequest), StripeJsonContext.Default.StripeListStripeSubscription, cancellationToken);

    public IAsyncEnumerable<StripeSubscription> ListAutoPagingAsync(SubscriptionListRequest? request = null, CancellationToken cancellationToken = default)
    {
        var first = request ?? new SubscriptionListRequest();
        return StripePaging.ListAllAsync((after, ct) => ListAsync(first with { StartingAfter = after }, ct), first.StartingAfter, cancellationToken);
    }

    public Task<StripeSubscription> UpdateAsync(string id, SubscriptionUpdateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return requestor.PostAsync(StripePath.Of(BasePath, id), FormEncoder.Encode(request, StripeJsonContext.Default.SubscriptionUpdateRequest), StripeJsonContext.Default.StripeSubscription, requestOptions, cancellationToken);
    }

    public Task<StripeSubscription> CancelAsync(string id, SubscriptionCancelRequest? request = null, CancellationToken cancellationToken = default)
    {
        var query = request is null ? null : FormEncoder.Encode(request, StripeJsonContext.Default.SubscriptionCancelRequest);
        return requestor.DeleteAsync(StripePath.Of(BasePath, id), query, StripeJsonContext.Default.StripeSubscription, cancellationToken);
    }
}
