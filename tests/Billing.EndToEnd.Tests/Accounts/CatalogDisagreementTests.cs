using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>
/// A catalog that disagrees with Stripe, as the app reads its prices from the Stripe emulator: the plan and interval
/// whose price disagrees is not sold (409 <c>plan_not_sold</c>, nothing created in Stripe), the others are.
/// </summary>
public sealed class CatalogDisagreementTests
{
    [Fact]
    public async Task A_plan_whose_currency_is_not_its_stripe_prices_is_not_sold_and_nothing_is_created_in_stripe()
    {
        // PRO (index 3 of the development catalog) bills its overage in eur, but its Stripe prices are in usd: its
        // subscribers would pay the plan in usd and their overage, on usage invoices, in eur. (Its credit packs then grant
        // credit in eur, the one currency of usage invoices, or the app refuses to start.)
        await using var stack = await WebhookStack.StartAsync(configure: settings =>
        {
            settings["Billing__Catalog__Plans__3__Currency"] = "eur";
            settings["Billing__Purchases__CreditPacks__0__CreditCurrency"] = "eur";
            settings["Billing__Purchases__CreditPacks__1__CreditCurrency"] = "eur";
        });
        var accountId = "catdis-" + Guid.NewGuid().ToString("N")[..10];

        var (status, problem) = await CheckoutAsync(stack, accountId, """{"plan":"PRO","interval":"month"}""");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("plan_not_sold", problem.GetProperty("code").GetString());
        Assert.Contains("its price price_pro_monthly is in usd in Stripe, but the plan's currency", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(OpenApiContract.Check("post", "/api/billing/checkout", HttpStatusCode.Conflict, "application/problem+json", problem.GetRawText()));
        Assert.Null(await stack.Data.AccountAsync(accountId));
        Assert.DoesNotContain((await stack.Stripe.V1.Customers.ListAsync(new Stripe.CustomerListOptions { Limit = 100 })).Data, c => c.Metadata.GetValueOrDefault("account_id") == accountId);

        // The pricing page lists PRO without the prices it does not sell; BASIC (usd, as its prices) is sold.
        using var plans = JsonDocument.Parse(await stack.App.Http.GetStringAsync(new Uri("/api/billing/plans", UriKind.Relative)));
        var pro = plans.RootElement.GetProperty("plans").EnumerateArray().Single(p => p.GetProperty("code").GetString() == "PRO");
        Assert.Empty(pro.GetProperty("prices").EnumerateArray());
        var (basic, _) = await CheckoutAsync(stack, accountId, """{"plan":"BASIC","interval":"month"}""");
        Assert.Equal(HttpStatusCode.OK, basic);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> CheckoutAsync(WebhookStack stack, string accountId, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/billing/checkout", UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.For(accountId));
        using var response = await stack.App.Http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.Clone());
    }
}
