using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

internal static class RefundShape
{
    public static JsonObject ToJson(RefundRecord refund)
    {
        var json = Fields(refund);
        if (refund.FailureReason is { } reason)
        {
            json["failure_reason"] = reason; // only on a failed refund, as Stripe sends it
        }

        return json;
    }

    private static JsonObject Fields(RefundRecord refund) => new()
    {
        ["id"] = refund.Id,
        ["object"] = "refund",
        ["amount"] = refund.Amount,
        ["balance_transaction"] = null,
        ["charge"] = refund.ChargeId,
        ["created"] = refund.Created,
        ["currency"] = refund.Currency,
        ["customer"] = refund.CustomerId,
        ["customer_account"] = null,
        ["destination_details"] = new JsonObject
        {
            ["card"] = new JsonObject { ["reference"] = null, ["reference_status"] = "pending", ["reference_type"] = "acquirer_reference_number", ["type"] = "refund" },
            ["type"] = "card",
        },
        ["metadata"] = StripeJson.Metadata(refund.Metadata),
        ["payment_intent"] = refund.PaymentIntentId,
        ["payment_method"] = refund.PaymentMethod,
        ["reason"] = refund.Reason,
        ["receipt_number"] = null,
        ["source_transfer_reversal"] = null,
        ["status"] = refund.Status,
        ["transfer_reversal"] = null,
    };
}
