using Billing.Stripe.Common;

namespace Billing.Stripe.Subscriptions;

/// <summary>/v1/subscriptions.</summary>
public interface ISubscriptionService
{
    Task<StripeSubscription> GetAsync(string id, RetrieveRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>One page of subscriptions, newest first.</summary>
    Task<StripeList<StripeSubscription>> ListAsync(SubscriptionListRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>Every matching subscription, page after page.</summary>
    IAsyncEnumerable<StripeSubscription> ListAutoPagingAsync(SubscriptionListRequest? request = null, CancellationToken cancellationToken = default);

    Task<StripeSubscription> UpdateAsync(string id, SubscriptionUpdateRequest request, StripeRequestOptions? requestOptions = null, CancellationToken cancellationToken = default);

    /// <summary>Cancel immediately (DELETE). Returns the canceled subscription.</summary>
    Task<StripeSubscription> CancelAsync(string id, SubscriptionCancelRequest? request = null, CancellationToken cancellationToken = default);
}
