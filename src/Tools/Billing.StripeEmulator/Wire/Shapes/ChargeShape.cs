using System.Text.Json.Nodes;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

/// <summary>A succeeded card charge (test card 4242), with `amount_refunded`, `refunded` and its `refunds` list.</summary>
internal static class ChargeShape
{
    public static JsonObject ToJson(ChargeRecord charge, EmulatorState state) => new()
    {
        ["id"] = charge.Id,
        ["object"] = "charge",
        ["amount"] = charge.Amount,
        ["amount_captured"] = charge.Amount,
        ["amount_refunded"] = charge.AmountRefunded,
        ["application"] = null,
        ["application_fee"] = null,
        ["application_fee_amount"] = null,
        ["balance_transaction"] = null,
        ["billing_details"] = new JsonObject
        {
            ["address"] = null,
            ["email"] = charge.BillingEmail,
            ["name"] = charge.BillingName,
            ["phone"] = null,
            ["tax_id"] = null,
        },
        ["calculated_statement_descriptor"] = "STRIPE EMULATOR",
        ["captured"] = true,
        ["created"] = charge.Created,
        ["currency"] = charge.Currency,
        ["customer"] = charge.CustomerId,
        ["description"] = charge.Description,
        ["disputed"] = charge.DisputeId is not null,
        ["failure_balance_transaction"] = null,
        ["failure_code"] = null,
        ["failure_message"] = null,
        ["fraud_details"] = new JsonObject(),
        ["livemode"] = false,
        ["metadata"] = StripeJson.Metadata(charge.Metadata),
        ["on_behalf_of"] = null,
        ["outcome"] = new JsonObject
        {
            ["advice_code"] = null,
            ["network_advice_code"] = null,
            ["network_decline_code"] = null,
            ["network_status"] = "approved_by_network",
            ["reason"] = null,
            ["risk_level"] = "normal",
            ["seller_message"] = "Payment complete.",
            ["type"] = "authorized",
        },
        ["paid"] = true,
        ["payment_intent"] = charge.PaymentIntentId,
        ["payment_method"] = charge.PaymentMethod,
        ["payment_method_details"] = new JsonObject
        {
            ["card"] = new JsonObject
            {
                ["brand"] = "visa",
                ["country"] = "US",
                ["exp_month"] = 12,
                ["exp_year"] = 2034,
                ["funding"] = "credit",
                ["last4"] = "4242",
                ["network"] = "visa",
            },
            ["type"] = "card",
        },
        ["receipt_email"] = null,
        ["receipt_number"] = null,
        ["receipt_url"] = null,
        ["refunded"] = charge.Refunded,
        ["refunds"] = StripeJson.List(
            $"/v1/charges/{charge.Id}/refunds",
            charge.RefundIds.AsEnumerable().Reverse().Select(id => (JsonNode)RefundShape.ToJson(state.Refunds[id])),
            hasMore: false),
        ["review"] = null,
        ["shipping"] = null,
        ["source_transfer"] = null,
        ["statement_descriptor"] = null,
        ["statement_descriptor_suffix"] = null,
        ["status"] = "succeeded",
        ["transfer_data"] = null,
        ["transfer_group"] = null,
    };
}
