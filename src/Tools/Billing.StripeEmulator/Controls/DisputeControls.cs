using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Controls;

/// <summary>
/// Disputes, as a cardholder's bank would raise them: `POST /_emulator/charges/{id}/dispute` (`reason`, default
/// `fraudulent`) opens one for the whole charge (`charge.dispute.created`, status `needs_response`);
/// `POST /_emulator/disputes/{id}/close` (`outcome=won|lost`) closes it (`charge.dispute.closed`). Read with
/// `GET /v1/disputes/{id}`.
/// </summary>
internal static class DisputeControls
{
    private static readonly string[] Reasons =
    [
        "bank_cannot_process", "check_returned", "credit_not_processed", "customer_initiated", "debit_not_authorized", "duplicate",
        "fraudulent", "general", "incorrect_account_details", "insufficient_funds", "product_not_received", "product_unacceptable",
        "subscription_canceled", "unrecognized",
    ];

    public static IEndpointRouteBuilder MapDisputeControls(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/_emulator/charges/{id}/dispute", Open);
        routes.MapPost("/_emulator/disputes/{id}/close", Close);
        routes.MapGet("/v1/disputes/{id}", Retrieve);
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

    private static IResult Retrieve(string id, EmulatorStore store) =>
        StripeResults.Json(store.Read(state => DisputeShape.ToJson(Lookup.Find(state.Disputes, "dispute", id))));
}
