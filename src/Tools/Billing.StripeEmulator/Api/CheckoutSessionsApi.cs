using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.Checkout;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>
/// `/v1/checkout/sessions`: create (payment or subscription mode), retrieve (`expand[]=line_items`), list (filtered by
/// `customer`, `status`, `subscription`, `payment_intent`, `customer_details[email]`, `created`), list line items,
/// expire (open sessions only; `checkout.session.expired`).
/// </summary>
internal static class CheckoutSessionsApi
{
    public static IEndpointRouteBuilder MapCheckoutSessionsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/checkout/sessions", Create);
        routes.MapGet("/v1/checkout/sessions", List);
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
        var p = context.Params().AllowOnly();
        return StripeResults.Json(store.Read(state =>
            Expansion.Apply(CheckoutSessionShape.ToJson(Lookup.CheckoutSession(state, id), state, ExpandsLineItems(p)), p, state)));
    }

    private static IResult List(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly(
            "customer", "customer_account", "customer_details", "status", "subscription", "payment_intent", "payment_link", "created", "limit", "starting_after", "ending_before")
            .NotModelled("customer_account", "payment_link");
        var customer = p.NonEmptyString("customer");
        var status = p.OneOf("status", "open", "complete", "expired");
        var subscription = p.NonEmptyString("subscription");
        var paymentIntent = p.NonEmptyString("payment_intent");
        var email = p.Child("customer_details")?.AllowOnly("email").RequireString("email");
        var created = Paging.CreatedFilter(p);
        return StripeResults.Json(store.Read(state =>
        {
            var sessions = state.CheckoutSessions.Values
                .Where(s => customer is null || s.CustomerId == customer)
                .Where(s => status is null || s.Status == status)
                .Where(s => subscription is null || s.SubscriptionId == subscription)
                .Where(s => paymentIntent is null || s.PaymentIntentId == paymentIntent)
                .Where(s => email is null || string.Equals(s.CompletedEmail ?? s.CustomerEmail, email, StringComparison.OrdinalIgnoreCase))
                .Where(s => created(s.Created))
                .OrderByDescending(s => s.Sequence)
                .ToList();
            var page = Paging.Page(sessions, s => s.Id, s => CheckoutSessionShape.ToJson(s, state, ExpandsLineItems(p, "data.line_items")), p, "/v1/checkout/sessions", "checkout.session");
            return Expansion.Apply(page, WithoutExpand(p, "data.line_items"), state);
        }));
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
        var p = context.Params().AllowOnly();
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

    private static bool ExpandsLineItems(StripeParams p, string path = "line_items") => p.Strings("expand").Contains(path, StringComparer.Ordinal);

    /// <summary>The parameters minus one expand path the shape already handled.</summary>
    private static StripeParams WithoutExpand(StripeParams p, string path)
    {
        var expand = FormNode.Map();
        foreach (var value in p.Strings("expand").Where(e => e != path))
        {
            expand.Append(FormNode.Leaf(value));
        }

        var node = FormNode.Map();
        node.Set("expand", expand);
        return new StripeParams(node);
    }
}
