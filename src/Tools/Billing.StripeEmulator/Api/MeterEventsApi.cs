using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>
/// `POST /v1/billing/meter_events`: stored for inspection (`GET /_emulator/billing/meter_events`). A repeated
/// `identifier` within 24 hours is rejected as Stripe rejects it (400, `Stripe-Should-Retry: false`).
/// </summary>
internal static class MeterEventsApi
{
    public const long IdentifierWindow = 24 * 3600;
    private const long MaxAge = 35 * 86400;
    private const long MaxFuture = 300;

    public static IEndpointRouteBuilder MapMeterEventsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/billing/meter_events", Create);
        return routes;
    }

    private static IResult Create(HttpContext context, EmulatorStore store)
    {
        var p = Expansion.NothingToExpand(context.Params().AllowOnly("event_name", "payload", "identifier", "timestamp"));
        var eventName = p.RequireString("event_name");
        if (eventName.Length > 100)
        {
            throw StripeApiException.ParameterInvalid("event_name", "event_name can be at most 100 characters.");
        }

        var payloadParams = p.Child("payload") ?? throw StripeApiException.ParameterMissing("payload");
        var payload = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in payloadParams.Names)
        {
            payload[name] = payloadParams.String(name) ?? string.Empty;
        }

        if (payload.Count == 0)
        {
            throw StripeApiException.ParameterMissing("payload");
        }

        var identifier = p.NonEmptyString("identifier");
        if (identifier is { Length: > 100 })
        {
            throw StripeApiException.ParameterInvalid("identifier", "identifier can be at most 100 characters.");
        }

        var timestamp = p.Long("timestamp");
        var json = store.Write(context.RequestInfo(), m =>
        {
            var at = timestamp ?? m.Now;
            if (at < m.Now - MaxAge || at > m.Now + MaxFuture)
            {
                throw StripeApiException.ParameterInvalid("timestamp", "The timestamp must be within the past 35 calendar days or up to 5 minutes in the future.", "parameter_invalid_integer");
            }

            var id = identifier ?? IdGenerator.New("mev", 24);
            if (m.State.MeterEventsByIdentifier.TryGetValue(id, out var existing) && m.Now - existing.Created < IdentifierWindow)
            {
                throw new StripeApiException(400, ErrorTypes.InvalidRequest, $"An event already exists with identifier {id}.", null, "identifier") { ShouldRetry = false };
            }

            var record = new MeterEventRecord { Identifier = id, EventName = eventName, Created = m.Now, Timestamp = at, Payload = payload };
            m.State.MeterEvents.Add(record);
            m.State.MeterEventsByIdentifier[id] = record;
            return MeterEventShape.ToJson(record);
        });
        return StripeResults.Json(json);
    }
}
