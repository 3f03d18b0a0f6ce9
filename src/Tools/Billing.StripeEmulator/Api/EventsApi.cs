using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>
/// `/v1/events`: retrieve, and list newest first filtered by `type` (with `*` wildcards), `types[]`, `created` and
/// `delivery_success`: false lists the events that at least one endpoint has not received yet (still pending, being
/// retried, held, or given up on: `pending_webhooks` above 0), true those every endpoint received.
/// </summary>
internal static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/events", List);
        routes.MapGet("/v1/events/{id}", Retrieve);
        return routes;
    }

    private static IResult Retrieve(string id, HttpContext context, EmulatorStore store) =>
        StripeResults.Json(store.Read(state => Expansion.Apply(EventShape.ToJson(Lookup.Event(state, id)), context.Params().AllowOnly(), state)));

    private static IResult List(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("type", "types", "limit", "starting_after", "ending_before", "created", "delivery_success");
        var type = p.NonEmptyString("type");
        var types = p.Strings("types");
        if (type is not null && types.Count > 0)
        {
            throw StripeApiException.InvalidRequest("You may only specify one of these parameters: type, types.", "types");
        }

        if (types.Count > 20)
        {
            throw StripeApiException.ParameterInvalid("types", "You can filter on at most 20 event types.");
        }

        var created = Paging.CreatedFilter(p);
        var deliverySuccess = p.Bool("delivery_success");
        var patterns = type is not null ? [type] : types;
        return StripeResults.Json(store.Read(state =>
        {
            var events = state.EventLog
                .Where(e => patterns.Count == 0 || patterns.Any(pattern => Matches(pattern, e.Type)))
                .Where(e => created(e.Created))
                .Where(e => deliverySuccess is not { } delivered || (e.PendingWebhooks == 0) == delivered)
                .OrderByDescending(e => e.Sequence)
                .ToList();
            return Expansion.Apply(Paging.Page(events, e => e.Id, e => EventShape.ToJson(e), p, "/v1/events", "event"), p, state);
        }));
    }

    /// <summary>`invoice.*` matches every invoice event; `*` anything.</summary>
    internal static bool Matches(string pattern, string type)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(pattern, type, StringComparison.Ordinal);
        }

        var regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "\\z";
        return System.Text.RegularExpressions.Regex.IsMatch(type, regex, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
    }
}
