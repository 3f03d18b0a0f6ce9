using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

internal static class CustomerShape
{
    public static JsonObject Deleted(CustomerRecord customer) => new()
    {
        ["id"] = customer.Id,
        ["object"] = "customer",
        ["deleted"] = true,
    };

    public static JsonObject ToJson(CustomerRecord customer) => new()
    {
        ["id"] = customer.Id,
        ["object"] = "customer",
        ["address"] = null,
        ["balance"] = customer.Balance,
        ["business_name"] = null,
        ["created"] = customer.Created,
        ["currency"] = customer.Currency,
        ["default_source"] = null,
        ["delinquent"] = customer.Delinquent,
        ["description"] = customer.Description,
        ["discount"] = null,
        ["email"] = customer.Email,
        ["individual_name"] = null,
        ["invoice_prefix"] = customer.InvoicePrefix,
        ["invoice_settings"] = new JsonObject
        {
            ["custom_fields"] = null,
            ["default_payment_method"] = customer.DefaultPaymentMethod,
            ["footer"] = null,
            ["rendering_options"] = null,
        },
        ["livemode"] = false,
        ["metadata"] = StripeJson.Metadata(customer.Metadata),
        ["name"] = customer.Name,
        ["next_invoice_sequence"] = customer.NextInvoiceSequence,
        ["phone"] = customer.Phone,
        ["preferred_locales"] = StripeJson.Strings(customer.PreferredLocales),
        ["shipping"] = null,
        ["tax_exempt"] = "none",
        ["test_clock"] = null,
    };
}
