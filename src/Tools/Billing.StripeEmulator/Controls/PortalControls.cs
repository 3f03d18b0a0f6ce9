using Billing.StripeEmulator.Api;
using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Controls;

/// <summary>
/// `POST /_emulator/portal/{customer}/change_price|cancel_at_period_end|cancel_now`: what a customer does in the
/// billing portal, with the events the portal causes. `subscription` picks one when the customer has several.
/// </summary>
internal static class PortalControls
{
    public static IEndpointRouteBuilder MapPortalControls(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/_emulator/portal/{customer}/change_price", ChangePrice);
        routes.MapPost("/_emulator/portal/{customer}/cancel_at_period_end", CancelAtPeriodEnd);
        routes.MapPost("/_emulator/portal/{customer}/cancel_now", CancelNow);
        return routes;
    }

    private static IResult ChangePrice(string customer, HttpContext context, EmulatorStore store, RenewalEngine engine)
    {
        var p = context.Params().AllowOnly("price", "subscription", "proration_behavior");
        var price = p.RequireString("price");
        var proration = p.OneOf("proration_behavior", "always_invoice", "create_prorations", "none") ?? "create_prorations";
        var subscription = store.Write(RequestInfo.Automatic, m =>
        {
            Lookup.Price(m.State, price, "price");
            return PortalActions.ChangePrice(m, customer, p.NonEmptyString("subscription"), price, proration);
        });
        engine.RunDue();
        return StripeResults.Json(store.Read(state => SubscriptionShape.ToJson(subscription, state)));
    }

    private static IResult CancelAtPeriodEnd(string customer, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("subscription", "enabled", "feedback", "comment");
        var json = store.Write(RequestInfo.Automatic, m =>
        {
            var subscription = PortalActions.CancelAtPeriodEnd(m, customer, p.NonEmptyString("subscription"), p.Bool("enabled") ?? true, p.OneOf("feedback", SubscriptionsApi.Feedbacks), p.NonEmptyString("comment"));
            return SubscriptionShape.ToJson(subscription, m.State);
        });
        return StripeResults.Json(json);
    }

    private static IResult CancelNow(string customer, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("subscription", "feedback", "comment");
        var json = store.Write(RequestInfo.Automatic, m =>
        {
            var subscription = PortalActions.CancelNow(m, customer, p.NonEmptyString("subscription"), p.OneOf("feedback", SubscriptionsApi.Feedbacks), p.NonEmptyString("comment"));
            return SubscriptionShape.ToJson(subscription, m.State);
        });
        return StripeResults.Json(json);
    }
}
