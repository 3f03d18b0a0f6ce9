using Billing.StripeEmulator.Checkout;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Controls;

/// <summary>
/// `POST /_emulator/checkout/sessions/{id}/complete` (`payment_method=succeeding|failing|requires_action|delayed`,
/// `email`, `name`): pays a session as the customer would on the page; `delayed` (payment mode) is a bank debit whose
/// outcome comes with `POST /_emulator/checkout/sessions/{id}/async_payment` (`outcome=succeeded|failed`).
/// </summary>
internal static class CheckoutControls
{
    public static IEndpointRouteBuilder MapCheckoutControls(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/_emulator/checkout/sessions/{id}/complete", Complete);
        routes.MapPost("/_emulator/checkout/sessions/{id}/async_payment", AsyncPayment);
        return routes;
    }

    private static IResult Complete(string id, HttpContext context, CheckoutPayments payments, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("payment_method", "email", "name");
        var delayed = p.NonEmptyString("payment_method") == "delayed";
        var behavior = delayed ? PaymentBehavior.Succeeding : ControlParams.Behavior(p, "payment_method") ?? PaymentBehavior.Succeeding;
        var session = payments.Pay(id, behavior, p.NonEmptyString("email"), p.NonEmptyString("name"), delayed);
        return StripeResults.Json(store.Read(state => CheckoutSessionShape.ToJson(session, state)));
    }

    private static IResult AsyncPayment(string id, HttpContext context, CheckoutPayments payments, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("outcome");
        var outcome = p.OneOf("outcome", "succeeded", "failed") ?? throw StripeApiException.ParameterMissing("outcome");
        var session = payments.SettleAsync(id, outcome == "succeeded");
        return StripeResults.Json(store.Read(state => CheckoutSessionShape.ToJson(session, state)));
    }
}
