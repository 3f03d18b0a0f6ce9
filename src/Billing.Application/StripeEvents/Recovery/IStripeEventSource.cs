namespace Billing.Application.StripeEvents.Recovery;

/// <summary>
/// Stripe's own list of the events it created (<c>GET /v1/events</c>, the last 30 days), read with the app's secret key:
/// an event read this way is as authentic as a signed delivery.
/// </summary>
public interface IStripeEventSource
{
    /// <summary>The <c>api_version</c> of the events this build reads: the one its Stripe client pins.</summary>
    string ReadableApiVersion { get; }

    /// <summary>
    /// Every event of <paramref name="types"/> created from <paramref name="since"/> to <paramref name="until"/>, both
    /// seconds included (<c>created[gte]</c>, <c>created[lte]</c>; all pages, in no promised order), each as Stripe lists
    /// it: the JSON of the event as the payload, rendered in the API version it was created with; or null, as soon as more
    /// than <paramref name="maxEvents"/> were read, when the window holds more (Stripe lists newest first, so the oldest
    /// come last). With <paramref name="undeliveredOnly"/> only those that at least one webhook endpoint has not received
    /// (<c>delivery_success=false</c>). Failures throw as every Stripe call does.
    /// </summary>
    Task<IReadOnlyList<NewStripeEvent>?> ListAsync(DateTimeOffset since, DateTimeOffset until, IReadOnlyCollection<string> types, bool undeliveredOnly, int maxEvents, CancellationToken cancellationToken);
}
