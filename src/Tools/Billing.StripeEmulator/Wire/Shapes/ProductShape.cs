using System.Text.Json.Nodes;
using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.Wire.Shapes;

internal static class ProductShape
{
    public static JsonObject ToJson(ProductRecord product) => new()
    {
        ["id"] = product.Id,
        ["object"] = "product",
        ["active"] = product.Active,
        ["created"] = product.Created,
        ["default_price"] = product.DefaultPrice,
        ["description"] = product.Description,
        ["images"] = StripeJson.EmptyArray(),
        ["livemode"] = false,
        ["marketing_features"] = StripeJson.EmptyArray(),
        ["metadata"] = StripeJson.Metadata(product.Metadata),
        ["name"] = product.Name,
        ["package_dimensions"] = null,
        ["shippable"] = null,
        ["statement_descriptor"] = null,
        ["tax_code"] = null,
        ["type"] = "service",
        ["unit_label"] = null,
        ["updated"] = product.Updated,
        ["url"] = null,
    };
}
