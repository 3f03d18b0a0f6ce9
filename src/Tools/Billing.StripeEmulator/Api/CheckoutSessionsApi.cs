using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.Checkout;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>`/v1/checkout/sessions`: create (payment or subscription mode), retrieve (`expand[]=line_items`), list line items, expire.</summary>
internal static class CheckoutSessionsApi
{
    public static IEndpointRouteBuilder MapCheckoutSessionsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/checkout/sessions", Create);
        routes.MapGet("/v1/checkout/sessions/{id}", Retrieve);
        routes.MapGet("/v1/checkout/sessions/{id}/line_items", LineItems);
        routes.MapPost("/v1/checkout/sessions/{id}/expire", Expire);
        return routes;
    }

    private static IResult Create(HttpContext context, EmulatorStore store)
    {
        var p = context.Params();
        var json = store.Write(context.RequestInfo(), m =>
        {
            var session = CheckoutSessions.Create(m, p);
            return Expansion.Apply(CheckoutSessionShape.ToJson(session, m.State, ExpandsLineItems(p)), p, m.State);
        });
        return StripeResults.Json(json);
    }

    private static IResult Retrieve(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params();
        return StripeResults.Json(store.Read(state =>
            Expansion.Apply(CheckoutSessionShape.ToJson(Lookup.CheckoutSession(state, id), state, ExpandsLineItems(p)), p, state)));
    }

    private static IResult LineItems(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("limit", "starting_after", "ending_before");
        return StripeResults.Json(store.Read(state =>
        {
            var all = CheckoutSessionShape.LineItems(Lookup.CheckoutSession(state, id), state)["data"]!.AsArray().Select(n => n!.DeepClone()).ToList();
            return Expansion.Apply(Paging.Page(all, n => n["id"]!.GetValue<string>(), n => n, p, $"/v1/checkout/sessions/{id}/line_items", "line item"), p, state);
        }));
    }

    private static IResult Expire(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params();
        var json = store.Write(context.RequestInfo(), m =>
        {
            var session = Lookup.CheckoutSession(m.State, id);
            if (session.Status != "open")
            {
                throw StripeApiException.InvalidRequest($"Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{session.Status}\".", null);
            }

            session.Status = "expired";
            var expired = CheckoutSessionShape.ToJson(session, m.State);
            m.Emit("checkout.session.expired", expired);
            return Expansion.Apply(CheckoutSessionShape.ToJson(session, m.State, ExpandsLineItems(p)), p, m.State);
        });
        return StripeResults.Json(json);
    }

    private static bool ExpandsLineItems(StripeParams p) => p.Strings("expand").Contains("line_items", StringComparer.Ordinal);
}
