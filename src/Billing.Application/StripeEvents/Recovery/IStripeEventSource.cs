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
    /// Every event of <paramref name="types"/> created at or after <paramref name="since"/> (all pages; the recovery puts
    /// them in its own order), each as Stripe lists it: the JSON of the event as the payload, rendered in the API version it was created with.
    /// With <paramref name="undeliveredOnly"/> only those that at least one webhook endpoint has not received
    /// (<c>delivery_success=false</c>). Failures throw as every Stripe call does.
    /// </summary>
    Task<IReadOnlyList<NewStripeEvent>> ListAsync(DateTimeOffset since, IReadOnlyCollection<string> types, bool undeliveredOnly, CancellationToken cancellationToken);
}
