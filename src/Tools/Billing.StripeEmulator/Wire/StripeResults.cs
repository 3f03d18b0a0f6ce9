using System.Text;
using System.Text.Json.Nodes;

namespace Billing.StripeEmulator.Wire;

/// <summary>Endpoint results written as Stripe writes them: JSON, pretty-printed.</summary>
internal static class StripeResults
{
    public static IResult Json(JsonNode body, int statusCode = StatusCodes.Status200OK) =>
        Results.Text(StripeJson.Serialize(body), "application/json", Encoding.UTF8, statusCode);
}
