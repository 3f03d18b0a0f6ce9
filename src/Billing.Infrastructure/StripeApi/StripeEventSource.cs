using System.Text.Json;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Recovery;
using Microsoft.Extensions.Logging;
using Stripe;

namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// <see cref="IStripeEventSource"/> on Stripe.net's <c>GET /v1/events</c>: one listing per <see cref="MaxTypesPerListing"/>
/// types (Stripe's limit on <c>types[]</c>) of the window's seconds, every page unless the window holds more events than
/// asked for (the recovery then asks for a narrower one). Each event's payload is its JSON exactly as
/// Stripe sent it (the page's item, not Stripe.net's re-serialization, which would drop what its classes do not know).
/// Failures become <see cref="Billing.Application.Payments.PaymentProviderException"/> as for every Stripe call.
/// </summary>
public sealed class StripeEventSource(StripeClientFactory clients, ILogger<StripeEventSource> logger) : IStripeEventSource
{
    /// <summary>Stripe takes at most 20 event types in one listing.</summary>
    public const int MaxTypesPerListing = 20;

    private const int PageSize = 100;

    public string ReadableApiVersion => StripeConfiguration.ApiVersion;

    public async Task<IReadOnlyList<NewStripeEvent>?> ListAsync(DateTimeOffset since, DateTimeOffset until, IReadOnlyCollection<string> types, bool undeliveredOnly, int maxEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(types);
        var client = clients.Create();
        var listed = new List<NewStripeEvent>();
        try
        {
            foreach (var chunk in types.Chunk(MaxTypesPerListing))
            {
                var options = new EventListOptions
                {
                    Types = [.. chunk],
                    DeliverySuccess = undeliveredOnly ? false : null,
                    Created = new DateRangeOptions { GreaterThanOrEqual = since.UtcDateTime, LessThanOrEqual = until.UtcDateTime },
                    Limit = PageSize,
                };
                StripeList<Event> page;
                do
                {
                    page = await client.V1.Events.ListAsync(options, requestOptions: null, cancellationToken).ConfigureAwait(false);
                    listed.AddRange(Read(page));
                    if (listed.Count > maxEvents)
                    {
                        return null;
                    }

                    options.StartingAfter = page.Data.LastOrDefault()?.Id;
                }
                while (page.HasMore && options.StartingAfter is not null);
            }
        }
        catch (Exception exception) when (StripeFailures.Classify("list the events", exception, logger, cancellationToken) is { } failure)
        {
            throw failure;
        }

        return listed;
    }

    /// <summary>The page's events with the JSON Stripe sent for each (the items of the answer's <c>data</c>, in the same order).</summary>
    private static List<NewStripeEvent> Read(StripeList<Event> page)
    {
        using var answer = JsonDocument.Parse(page.StripeResponse.Content);
        var payloads = answer.RootElement.GetProperty("data").EnumerateArray().Select(item => item.GetRawText()).ToList();
        return page.Data.Select((stripeEvent, i) => new NewStripeEvent
        {
            Id = stripeEvent.Id,
            Type = stripeEvent.Type,
            Created = new DateTimeOffset(DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc)),
            Livemode = stripeEvent.Livemode,
            ApiVersion = stripeEvent.ApiVersion,
            Payload = payloads[i],
        }).ToList();
    }
}
