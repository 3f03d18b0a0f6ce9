using System.Globalization;
using System.Text.Json.Nodes;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

/// <summary>An invoice item at endive: `pricing.price_details` instead of a top-level `price`, `parent` for the subscription, `frozen_fields`, `invoicing_rules`.</summary>
internal static class InvoiceItemShape
{
    public static JsonObject ToJson(InvoiceItemRecord item, EmulatorState state) => new()
    {
        ["id"] = item.Id,
        ["object"] = "invoiceitem",
        ["amount"] = item.Amount,
        ["currency"] = item.Currency,
        ["customer"] = item.CustomerId,
        ["customer_account"] = null,
        ["date"] = item.Created,
        ["description"] = item.Description,
        ["discountable"] = item.Discountable,
        ["discounts"] = StripeJson.EmptyArray(),
        ["frozen_fields"] = StripeJson.EmptyArray(),
        ["invoice"] = item.InvoiceId,
        ["invoicing_rules"] = StripeJson.EmptyArray(),
        ["livemode"] = false,
        ["metadata"] = StripeJson.Metadata(item.Metadata),
        ["net_amount"] = item.Amount,
        ["parent"] = item.SubscriptionId is null
            ? null
            : new JsonObject
            {
                ["subscription_details"] = new JsonObject { ["subscription"] = item.SubscriptionId },
                ["type"] = "subscription_details",
            },
        ["period"] = new JsonObject { ["end"] = item.PeriodEnd, ["start"] = item.PeriodStart },
        ["pricing"] = Pricing(item.PriceId, item.UnitAmountDecimal, state),
        ["proration"] = item.Proration,
        ["proration_details"] = new JsonObject { ["credited_items"] = null, ["discount_amounts"] = StripeJson.EmptyArray() },
        ["quantity"] = item.Quantity,
        ["quantity_decimal"] = item.Quantity.ToString(CultureInfo.InvariantCulture),
        ["tax_rates"] = StripeJson.EmptyArray(),
        ["test_clock"] = null,
    };

    public static JsonObject Pricing(string? priceId, string? unitAmountDecimal, EmulatorState state) => new()
    {
        ["price_details"] = priceId is null
            ? null
            : new JsonObject { ["price"] = priceId, ["product"] = state.Prices.TryGetValue(priceId, out var price) ? price.ProductId : null },
        ["type"] = "price_details",
        ["unit_amount_decimal"] = unitAmountDecimal,
    };
}
