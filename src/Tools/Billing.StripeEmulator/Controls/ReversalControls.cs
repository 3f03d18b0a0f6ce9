using Billing.StripeEmulator.Api;
using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Controls;

/// <summary>
/// What banks do to a payment after it was made. Disputes: `POST /_emulator/charges/{id}/dispute` (`reason`, default
/// `fraudulent`) opens one for the whole charge (`charge.dispute.created`, status `needs_response`);
/// `POST /_emulator/disputes/{id}/close` (`outcome=won|lost`) closes it (`charge.dispute.closed`). Read with
/// `GET /v1/disputes/{id}` and list with `GET /v1/disputes?charge=`. Refund failures (in Stripe's test mode, a refund to card 4000000000005126 fails):
/// `POST /_emulator/refunds/{id}/fail` (`failure_reason`, default `expired_or_canceled_card`) fails a succeeded or
/// pending refund: its amount is no longer refunded on the charge (`refund.updated`, `refund.failed`).
/// </summary>
internal static class ReversalControls
{
    private static readonly string[] RefundFailureReasons = ["charge_for_pending_refund_disputed", "declined", "expired_or_canceled_card", "insufficient_funds", "lost_or_stolen_card", "merchant_request", "unknown"];

    private static readonly string[] Reasons =
    [
        "bank_cannot_process", "check_returned", "credit_not_processed", "customer_initiated", "debit_not_authorized", "duplicate",
        "fraudulent", "general", "incorrect_account_details", "insufficient_funds", "product_not_received", "product_unacceptable",
        "subscription_canceled", "unrecognized",
    ];

    public static IEndpointRouteBuilder MapReversalControls(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/_emulator/charges/{id}/dispute", Open);
        routes.MapPost("/_emulator/disputes/{id}/close", Close);
        routes.MapPost("/_emulator/refunds/{id}/fail", FailRefund);
        routes.MapGet("/v1/disputes/{id}", Retrieve);
        routes.MapGet("/v1/disputes", List);
        return routes;
    }

    private static IResult Open(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("reason");
        var reason = p.OneOf("reason", Reasons) ?? "fraudulent";
        return StripeResults.Json(store.Write(RequestInfo.Automatic, m =>
        {
            var charge = Lookup.Charge(m.State, id);
            if (charge.DisputeId is not null)
            {
                throw StripeApiException.InvalidRequest($"Charge {charge.Id} has already been disputed.", null, "charge_disputed");
            }

            var dispute = new DisputeRecord
            {
                Id = IdGenerator.New("du"),
                Created = m.Now,
                Amount = charge.Amount - charge.AmountRefunded,
                Currency = charge.Currency,
                ChargeId = charge.Id,
                PaymentIntentId = charge.PaymentIntentId,
                Reason = reason,
                Status = "needs_response",
                EvidenceDueBy = m.Now + (long)TimeSpan.FromDays(7).TotalSeconds,
            };
            m.State.Add(m.State.Disputes, dispute);
            charge.DisputeId = dispute.Id;
            m.Emit("charge.dispute.created", DisputeShape.ToJson(dispute));
            return DisputeShape.ToJson(dispute);
        }));
    }

    private static IResult Close(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("outcome");
        var outcome = p.OneOf("outcome", "won", "lost") ?? throw StripeApiException.ParameterMissing("outcome");
        return StripeResults.Json(store.Write(RequestInfo.Automatic, m =>
        {
            var dispute = Lookup.Find(m.State.Disputes, "dispute", id);
            if (dispute.Status is "won" or "lost")
            {
                throw StripeApiException.InvalidRequest($"Dispute {dispute.Id} is already closed ({dispute.Status}).", null);
            }

            dispute.Status = outcome;
            m.Emit("charge.dispute.closed", DisputeShape.ToJson(dispute));
            return DisputeShape.ToJson(dispute);
        }));
    }

    private static IResult FailRefund(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("failure_reason");
        var reason = p.OneOf("failure_reason", RefundFailureReasons) ?? "expired_or_canceled_card";
        return StripeResults.Json(store.Write(RequestInfo.Automatic, m =>
        {
            var refund = Lookup.Find(m.State.Refunds, "refund", id);
            if (refund.Status is not ("succeeded" or "pending"))
            {
                throw StripeApiException.InvalidRequest($"Refund {refund.Id} is {refund.Status}; only a succeeded or pending refund can fail.", null);
            }

            var before = RefundShape.ToJson(refund);
            refund.Status = "failed";
            refund.FailureReason = reason;
            Lookup.Charge(m.State, refund.ChargeId).AmountRefunded -= refund.Amount;
            var after = RefundShape.ToJson(refund);
            m.Emit("refund.updated", after, PreviousAttributes.Diff(before, after));
            m.Emit("refund.failed", after);
            return after;
        }));
    }

    private static IResult List(HttpContext context, EmulatorStore store) =>
        Paging.ListOfCharge(context, store, state => state.Disputes.Values, DisputeShape.ToJson, "/v1/disputes", "dispute");

    private static IResult Retrieve(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly();
        return StripeResults.Json(store.Read(state => Expansion.Apply(DisputeShape.ToJson(Lookup.Find(state.Disputes, "dispute", id)), p, state)));
    }
}
