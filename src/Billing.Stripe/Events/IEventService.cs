using Billing.Stripe.Common;

namespace Billing.Stripe.Events;

/// <summary>/v1/events (the last 30 days).</summary>
public interface IEventService
{
    Task<StripeEvent> GetAsync(string id, CancellationToken cancellationToken = default);

    Task<StripeList<StripeEvent>> ListAsync(EventListRequest? request = null, CancellationToken cancellationToken = default);

    IAsyncEnumerable<StripeEvent> ListAutoPagingAsync(EventListRequest? request = null, CancellationToken cancellationToken = default);
}
