using Billing.StripeEmulator.Checkout;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Controls;

/// <summary>`POST /_emulator/checkout/sessions/{id}/complete`: pays a session as the customer would on the page.</summary>
internal static class CheckoutControls
{
    public static IEndpointRouteBuilder MapCheckoutControls(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/_emulator/checkout/sessions/{id}/complete", Complete);
        return routes;
    }

    private static IResult Complete(string id, HttpContext context, CheckoutPayments payments, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("payment_method", "email", "name");
        var behavior = ControlParams.Behavior(p, "payment_method") ?? PaymentBehavior.Succeeding;
        var session = payments.Pay(id, behavior, p.NonEmptyString("email"), p.NonEmptyString("name"));
        return StripeResults.Json(store.Read(state => CheckoutSessionShape.ToJson(session, state)));
    }
}
