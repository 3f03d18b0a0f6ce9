using Billing.Stripe.Common;
using Billing.Stripe.Http;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.Events;

/// <inheritdoc />
public sealed class EventService : IEventService
{
    private const string BasePath = "/v1/events";
    private readonly StripeRequestor requestor;

    internal EventService(StripeRequestor requestor) => this.requestor = requestor;

    public Task<StripeEvent> GetAsync(string id, CancellationToken cancellationToken = default) =>
        requestor.GetAsync(StripePath.Of(BasePath, id), null, StripeJsonContext.Default.StripeEvent, cancellationToken);

    public Task<StripeList<StripeEvent>> ListAsync(EventListRequest? request = null, CancellationToken cancellationToken = default) =>
        requestor.GetAsync(BasePath, FormEncoder.Encode(request ?? new EventListRequest(), StripeJsonContext.Default.EventListRequest), StripeJsonContext.Default.StripeListStripeEvent, cancellationToken);

    public IAsyncEnumerable<StripeEvent> ListAutoPagingAsync(EventListRequest? request = null, CancellationToken cancellationToken = default)
    {
        var first = request ?? new EventListRequest();
        return StripePaging.ListAllAsync((after, ct) => ListAsync(first with { StartingAfter = after }, ct), first.StartingAfter, cancellationToken);
    }
}
