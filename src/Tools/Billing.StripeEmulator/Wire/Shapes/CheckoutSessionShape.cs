using System.Text.Json.Nodes;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

internal static class CheckoutSessionShape
{
    public static JsonObject ToJson(CheckoutSessionRecord session, EmulatorState state, bool expandLineItems = false)
    {
        var subtotal = session.LineItems.Sum(line => LineAmount(line, state));
        var complete = session.Status == "complete";
        var json = new JsonObject
        {
            ["id"] = session.Id,
            ["object"] = "checkout.session",
            ["adaptive_pricing"] = null,
            ["after_expiration"] = null,
            ["allow_promotion_codes"] = session.AllowPromotionCodes,
            ["allowed_payment_method_types"] = session.AllowedPaymentMethodTypes is null ? null : StripeJson.Strings(session.AllowedPaymentMethodTypes),
            ["amount_subtotal"] = subtotal,
            ["amount_total"] = subtotal,
            ["automatic_tax"] = new JsonObject { ["enabled"] = false, ["liability"] = null, ["provider"] = null, ["status"] = null },
            ["billing_address_collection"] = null,
            ["branding_settings"] = null,
            ["cancel_url"] = session.CancelUrl,
            ["client_reference_id"] = session.ClientReferenceId,
            ["client_secret"] = null,
            ["collected_information"] = null,
            ["consent"] = null,
            ["consent_collection"] = null,
            ["created"] = session.Created,
            ["currency"] = session.Currency,
            ["currency_conversion"] = null,
            ["custom_fields"] = StripeJson.EmptyArray(),
            ["custom_text"] = new JsonObject
            {
                ["after_submit"] = null,
                ["shipping_address"] = null,
                ["submit"] = null,
                ["terms_of_service_acceptance"] = null,
            },
            ["customer"] = session.CustomerId,
            ["customer_account"] = null,
            ["customer_creation"] = session.CustomerCreation,
            ["customer_details"] = complete ? CustomerDetails(session) : null,
            ["customer_email"] = session.CustomerEmail,
            ["discounts"] = StripeJson.EmptyArray(),
            ["excluded_payment_method_types"] = session.ExcludedPaymentMethodTypes is null ? null : StripeJson.Strings(session.ExcludedPaymentMethodTypes),
            ["expires_at"] = session.ExpiresAt,
            ["integration_identifier"] = null,
            ["invoice"] = session.InvoiceId,
            ["invoice_creation"] = session.Mode == "payment"
                ? new JsonObject { ["enabled"] = false, ["invoice_data"] = InvoiceData() }
                : null,
            ["livemode"] = false,
            ["locale"] = null,
            ["managed_payments"] = null,
            ["metadata"] = StripeJson.Metadata(session.Metadata),
            ["mode"] = session.Mode,
            ["name_collection"] = null,
            ["optional_items"] = null,
            ["origin_context"] = null,
            ["payment_intent"] = session.PaymentIntentId,
            ["payment_link"] = null,
            ["payment_method_collection"] = session.Mode == "subscription" ? "always" : null,
            ["payment_method_configuration_details"] = null,
            ["payment_method_options"] = new JsonObject(),
            ["payment_method_types"] = StripeJson.Strings(session.AllowedPaymentMethodTypes ?? ["card"]),
            ["payment_status"] = session.PaymentStatus,
            ["permissions"] = null,
            ["phone_number_collection"] = new JsonObject { ["enabled"] = false },
            ["presentment_details"] = null,
            ["recovered_from"] = null,
            ["redirect_on_completion"] = session.RedirectOnCompletion,
            ["return_url"] = session.ReturnUrl,
            ["saved_payment_method_options"] = null,
            ["setup_intent"] = null,
            ["shipping_address_collection"] = null,
            ["shipping_cost"] = null,
            ["shipping_options"] = StripeJson.EmptyArray(),
            ["status"] = session.Status,
            ["submit_type"] = null,
            ["subscription"] = session.SubscriptionId,
            ["success_url"] = session.SuccessUrl,
            ["tax_id_collection"] = new JsonObject { ["enabled"] = false, ["required"] = "never" },
            ["total_details"] = new JsonObject { ["amount_discount"] = 0, ["amount_shipping"] = 0, ["amount_tax"] = 0 },
            ["ui_mode"] = session.UiMode,
            ["url"] = session.Status == "open" ? session.Url : null,
            ["wallet_options"] = null,
        };
        if (expandLineItems)
        {
            json["line_items"] = LineItems(session, state);
        }

        return json;
    }

    public static JsonObject LineItems(CheckoutSessionRecord session, EmulatorState state) =>
        StripeJson.List($"/v1/checkout/sessions/{session.Id}/line_items", session.LineItems.Select(line => LineItem(line, session, state)), hasMore: false);

    private static JsonObject LineItem(CheckoutLineItem line, CheckoutSessionRecord session, EmulatorState state)
    {
        var price = state.Prices[line.PriceId];
        var amount = LineAmount(line, state);
        return new JsonObject
        {
            ["id"] = line.Id,
            ["object"] = "item",
            ["adjustable_quantity"] = null,
            ["amount_discount"] = 0,
            ["amount_subtotal"] = amount,
            ["amount_tax"] = 0,
            ["amount_total"] = amount,
            ["currency"] = session.Currency,
            ["description"] = state.Products.TryGetValue(price.ProductId, out var product) ? product.Name : null,
            ["metadata"] = new JsonObject(),
            ["price"] = PriceShape.ToJson(price),
            ["quantity"] = line.Quantity,
        };
    }

    private static long LineAmount(CheckoutLineItem line, EmulatorState state) => state.Prices[line.PriceId].UnitAmount * line.Quantity;

    private static JsonObject CustomerDetails(CheckoutSessionRecord session) => new()
    {
        ["address"] = null,
        ["business_name"] = null,
        ["email"] = session.CompletedEmail,
        ["individual_name"] = null,
        ["name"] = session.CompletedName,
        ["phone"] = null,
        ["tax_exempt"] = "none",
        ["tax_ids"] = StripeJson.EmptyArray(),
    };

    private static JsonObject InvoiceData() => new()
    {
        ["account_tax_ids"] = null,
        ["custom_fields"] = null,
        ["description"] = null,
        ["footer"] = null,
        ["issuer"] = null,
        ["metadata"] = new JsonObject(),
        ["rendering_options"] = null,
    };
}
