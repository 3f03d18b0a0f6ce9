using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

/// <summary>A card dispute as Stripe renders it (`object: dispute`), without evidence submitted.</summary>
internal static class DisputeShape
{
    private static readonly string[] EvidenceFields =
    [
        "access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure", "cancellation_rebuttal",
        "customer_communication", "customer_email_address", "customer_name", "customer_purchase_ip", "customer_signature",
        "duplicate_charge_documentation", "duplicate_charge_explanation", "duplicate_charge_id", "product_description", "receipt",
        "refund_policy", "refund_policy_disclosure", "refund_refusal_explanation", "service_date", "service_documentation",
        "shipping_address", "shipping_carrier", "shipping_date", "shipping_documentation", "shipping_tracking_number",
        "uncategorized_file", "uncategorized_text",
    ];

    public static JsonObject ToJson(DisputeRecord dispute)
    {
        var evidence = new JsonObject();
        foreach (var field in EvidenceFields)
        {
            evidence[field] = null;
        }

        evidence["enhanced_evidence"] = new JsonObject();
        return new JsonObject
        {
            ["id"] = dispute.Id,
            ["object"] = "dispute",
            ["amount"] = dispute.Amount,
            ["balance_transactions"] = new JsonArray(),
            ["charge"] = dispute.ChargeId,
            ["created"] = dispute.Created,
            ["currency"] = dispute.Currency,
            ["evidence"] = evidence,
            ["evidence_details"] = new JsonObject
            {
                ["due_by"] = dispute.EvidenceDueBy,
                ["has_evidence"] = false,
                ["past_due"] = false,
                ["submission_count"] = 0,
                ["enhanced_eligibility"] = new JsonObject(),
            },
            ["is_charge_refundable"] = false,
            ["livemode"] = false,
            ["metadata"] = StripeJson.Metadata(dispute.Metadata),
            ["payment_intent"] = dispute.PaymentIntentId,
            ["payment_method_details"] = new JsonObject
            {
                ["card"] = new JsonObject { ["brand"] = "visa", ["case_type"] = "chargeback", ["network_reason_code"] = "10.4", ["network"] = "visa" },
                ["type"] = "card",
            },
            ["reason"] = dispute.Reason,
            ["status"] = dispute.Status,
            ["enhanced_eligibility_types"] = new JsonArray(),
        };
    }
}
