using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

internal static class PaymentIntentShape
{
    public static JsonObject ToJson(PaymentIntentRecord intent) => new()
    {
        ["id"] = intent.Id,
        ["object"] = "payment_intent",
        ["amount"] = intent.Amount,
        ["amount_capturable"] = 0,
        ["amount_details"] = new JsonObject { ["tip"] = new JsonObject() },
        ["amount_received"] = intent.AmountReceived,
        ["application"] = null,
        ["application_fee_amount"] = null,
        ["automatic_payment_methods"] = null,
        ["canceled_at"] = null,
        ["cancellation_reason"] = null,
        ["capture_method"] = "automatic",
        ["client_secret"] = $"{intent.Id}_secret_emulator",
        ["confirmation_method"] = "automatic",
        ["created"] = intent.Created,
        ["currency"] = intent.Currency,
        ["customer"] = intent.CustomerId,
        ["customer_account"] = null,
        ["description"] = intent.Description,
        ["excluded_payment_method_types"] = null,
        ["last_payment_error"] = null,
        ["latest_charge"] = intent.LatestChargeId,
        ["livemode"] = false,
        ["managed_payments"] = null,
        ["metadata"] = StripeJson.Metadata(intent.Metadata),
        ["next_action"] = intent.Status == "requires_action" ? new JsonObject { ["type"] = "use_stripe_sdk" } : null,
        ["on_behalf_of"] = null,
        ["payment_method"] = intent.PaymentMethod,
        ["payment_method_configuration_details"] = null,
        ["payment_method_options"] = new JsonObject(),
        ["payment_method_types"] = StripeJson.Strings(["card"]),
        ["processing"] = null,
        ["receipt_email"] = null,
        ["review"] = null,
        ["setup_future_usage"] = null,
        ["shipping"] = null,
        ["source"] = null,
        ["statement_descriptor"] = null,
        ["statement_descriptor_suffix"] = null,
        ["status"] = intent.Status,
        ["transfer_data"] = null,
        ["transfer_group"] = null,
    };
}
