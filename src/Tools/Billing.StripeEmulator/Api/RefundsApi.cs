using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>
/// `/v1/refunds` (create from `payment_intent` or `charge`, retrieve, list), plus read-only `GET /v1/charges/{id}`
/// and `GET /v1/payment_intents/{id}` for what the emulator charged.
/// </summary>
internal static class RefundsApi
{
    private static readonly string[] Reasons = ["duplicate", "fraudulent", "requested_by_customer"];

    public static IEndpointRouteBuilder MapRefundsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/refunds", Create);
        routes.MapGet("/v1/refunds", List);
        routes.MapGet("/v1/refunds/{id}", Retrieve);
        routes.MapGet("/v1/charges/{id}", RetrieveCharge);
        routes.MapGet("/v1/payment_intents/{id}", RetrievePaymentIntent);
        return routes;
    }

    private static IResult Create(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly(
            "payment_intent", "charge", "amount", "reason", "metadata", "instructions_email", "origin", "refund_application_fee", "reverse_transfer", "currency", "customer")
            .NotModelled("instructions_email", "origin", "refund_application_fee", "reverse_transfer", "currency", "customer");
        var paymentIntentId = p.NonEmptyString("payment_intent");
        var chargeId = p.NonEmptyString("charge");
        if (paymentIntentId is null && chargeId is null)
        {
            throw StripeApiException.InvalidRequest("One of the following params should be provided for this request: payment_intent or charge.", null, "parameter_missing");
        }

        if (paymentIntentId is not null && chargeId is not null)
        {
            throw StripeApiException.InvalidRequest("You may only specify one of these parameters: charge, payment_intent.", "payment_intent");
        }

        var amount = p.Long("amount");
        if (amount is <= 0)
        {
            throw StripeApiException.ParameterInvalid("amount", "Invalid positive integer", "parameter_invalid_integer");
        }

        var reason = p.OneOf("reason", Reasons);
        var metadata = p.Metadata();
        var json = store.Write(context.RequestInfo(), m =>
        {
            var charge = chargeId is not null ? Lookup.Charge(m.State, chargeId, "charge") : ChargeOf(m.State, paymentIntentId!);
            var refund = Payments.Refund(m, charge, amount, reason, metadata);
            return Expansion.Apply(RefundShape.ToJson(refund), p, m.State);
        });
        return StripeResults.Json(json);
    }

    private static ChargeRecord ChargeOf(EmulatorState state, string paymentIntentId)
    {
        var intent = Lookup.PaymentIntent(state, paymentIntentId, "payment_intent");
        return intent.LatestChargeId is { } chargeId && intent.Status == "succeeded"
            ? state.Charges[chargeId]
            : throw StripeApiException.InvalidRequest($"This PaymentIntent ({intent.Id}) does not have a successful charge to refund.", "payment_intent", "charge_not_refundable");
    }

    private static IResult Retrieve(string id, HttpContext context, EmulatorStore store) =>
        StripeResults.Json(store.Read(state => Expansion.Apply(RefundShape.ToJson(Lookup.Refund(state, id)), context.Params().AllowOnly(), state)));

    private static IResult List(HttpContext context, EmulatorStore store) =>
        Paging.ListOfCharge(context, store, state => state.Refunds.Values, RefundShape.ToJson, "/v1/refunds", "refund");

    private static IResult RetrieveCharge(string id, HttpContext context, EmulatorStore store) =>
        StripeResults.Json(store.Read(state => Expansion.Apply(ChargeShape.ToJson(Lookup.Charge(state, id), state), context.Params().AllowOnly(), state)));

    private static IResult RetrievePaymentIntent(string id, HttpContext context, EmulatorStore store) =>
        StripeResults.Json(store.Read(state => Expansion.Apply(PaymentIntentShape.ToJson(Lookup.PaymentIntent(state, id)), context.Params().AllowOnly(), state)));
}
