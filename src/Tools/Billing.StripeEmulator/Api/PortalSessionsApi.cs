using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>`POST /v1/billing_portal/sessions`: a session whose `url` opens the emulator's small portal page.</summary>
internal static class PortalSessionsApi
{
    public const string DefaultConfiguration = "bpc_emulator_default";

    public static IEndpointRouteBuilder MapPortalSessionsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/billing_portal/sessions", Create);
        return routes;
    }

    private static IResult Create(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("customer", "customer_account", "return_url", "configuration", "flow_data", "locale", "on_behalf_of").NotModelled("on_behalf_of")
            .NotModelledUnless("configuration", DefaultConfiguration); // the emulator's one portal; Stripe's others decide what it offers
        if (p.Has("customer_account"))
        {
            throw StripeApiException.ParameterInvalid("customer_account", "The emulator has no Accounts v2: pass `customer`.");
        }

        var customerId = p.NonEmptyString("customer") ?? throw StripeApiException.ParameterMissing("customer");
        var returnUrl = p.Url("return_url");
        // The subscription flows need their hash (the subscription to cancel or update), which Stripe requires with the
        // type and the emulator does not model: those types are refused with it, and only payment_method_update is taken.
        var flowType = p.Child("flow_data")?.AllowOnly("type", "after_completion", "subscription_cancel", "subscription_update", "subscription_update_confirm")
            .NotModelled("after_completion", "subscription_cancel", "subscription_update", "subscription_update_confirm")
            .NotModelledUnless("type", "payment_method_update").String("type");
        var json = store.Write(context.RequestInfo(), m =>
        {
            Lookup.Customer(m.State, customerId, "customer");
            var id = IdGenerator.New("bps");
            var session = m.State.Add(m.State.PortalSessions, new PortalSessionRecord
            {
                Id = id,
                Created = m.Now,
                CustomerId = customerId,
                ReturnUrl = returnUrl,
                Configuration = p.NonEmptyString("configuration") ?? DefaultConfiguration,
                FlowType = flowType,
                Locale = p.NonEmptyString("locale"),
                Url = $"{m.State.PublicBaseUrl}/billing_portal/{id}",
            });
            var shaped = PortalSessionShape.ToJson(session);
            m.Emit("billing_portal.session.created", shaped);
            return Expansion.Apply(PortalSessionShape.ToJson(session), p, m.State);
        });
        return StripeResults.Json(json);
    }
}
