using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Billing.StripeEmulator.Wire;

namespace Billing.StripeEmulator.Api;

/// <summary>The `search_result` envelope with Stripe's opaque `page` / `next_page` cursor.</summary>
internal static class SearchPage
{
    public static JsonObject Build<T>(IReadOnlyList<T> newestFirst, Func<T, JsonNode> shape, StripeParams p, string url)
    {
        var limit = p.Limit();
        var offset = DecodePage(p.NonEmptyString("page"));
        var window = newestFirst.Skip(offset).Take(limit).ToList();
        var hasMore = newestFirst.Count > offset + limit;
        var result = new JsonObject
        {
            ["object"] = "search_result",
            ["data"] = new JsonArray([.. window.Select(shape)]),
            ["has_more"] = hasMore,
            ["next_page"] = hasMore ? EncodePage(offset + limit) : null,
            ["url"] = url,
        };
        if (p.Strings("expand").Contains("total_count", StringComparer.Ordinal))
        {
            result["total_count"] = newestFirst.Count;
        }

        return result;
    }

    private static string EncodePage(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("offset:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static int DecodePage(string? page)
    {
        if (page is null)
        {
            return 0;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(page));
            if (text.StartsWith("offset:", StringComparison.Ordinal) && int.TryParse(text[7..], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
        }

        throw StripeApiException.ParameterInvalid("page", $"Invalid page: {page}");
    }
}
