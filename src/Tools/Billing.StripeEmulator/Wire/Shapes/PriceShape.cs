using System.Globalization;
using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

internal static class PriceShape
{
    public static JsonObject ToJson(PriceRecord price) => new()
    {
        ["id"] = price.Id,
        ["object"] = "price",
        ["active"] = price.Active,
        ["billing_scheme"] = "per_unit",
        ["created"] = price.Created,
        ["currency"] = price.Currency,
        ["custom_unit_amount"] = null,
        ["livemode"] = false,
        ["lookup_key"] = price.LookupKey,
        ["metadata"] = StripeJson.Metadata(price.Metadata),
        ["nickname"] = price.Nickname,
        ["product"] = price.ProductId,
        ["recurring"] = price.IsRecurring
            ? new JsonObject
            {
                ["interval"] = price.Interval,
                ["interval_count"] = price.IntervalCount,
                ["meter"] = null,
                ["trial_period_days"] = null,
                ["usage_type"] = "licensed",
            }
            : null,
        ["tax_behavior"] = "unspecified",
        ["tiers_mode"] = null,
        ["transform_quantity"] = null,
        ["type"] = price.IsRecurring ? "recurring" : "one_time",
        ["unit_amount"] = price.UnitAmount,
        ["unit_amount_decimal"] = price.UnitAmount.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The legacy `plan` view of a recurring price, still present on subscription items.</summary>
    public static JsonObject ToPlanJson(PriceRecord price) => new()
    {
        ["id"] = price.Id,
        ["object"] = "plan",
        ["active"] = price.Active,
        ["amount"] = price.UnitAmount,
        ["amount_decimal"] = price.UnitAmount.ToString(CultureInfo.InvariantCulture),
        ["billing_scheme"] = "per_unit",
        ["created"] = price.Created,
        ["currency"] = price.Currency,
        ["interval"] = price.Interval,
        ["interval_count"] = price.IntervalCount,
        ["livemode"] = false,
        ["metadata"] = StripeJson.Metadata(price.Metadata),
        ["meter"] = null,
        ["nickname"] = price.Nickname,
        ["product"] = price.ProductId,
        ["tiers_mode"] = null,
        ["transform_usage"] = null,
        ["trial_period_days"] = null,
        ["usage_type"] = "licensed",
    };
}
