using Billing.Stripe;
using Billing.Stripe.Common;
using Billing.Stripe.Prices;
using Billing.StripeEmulator.Tests.ClientCompatibility.Support;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

[Collection(SharedEmulator.Name)]
public sealed class PriceClientTests(ClientEmulatorFixture fixture) : IAsyncLifetime
{
    /// <summary>The emulator's default catalog (docs/stripe-emulator.md).</summary>
    private static readonly string[] SeededPrices =
    [
        "price_basic_monthly", "price_basic_yearly", "price_pro_monthly", "price_pro_yearly", "price_enterprise_monthly", "price_credits_1000",
    ];

    private IStripeClient Stripe => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Get_reads_amount_currency_interval_product_and_lookup_key()
    {
        var price = await Stripe.Prices.GetAsync("price_pro_yearly");
        var expanded = await Stripe.Prices.GetAsync("price_pro_yearly", RetrieveRequest.Expanding("product"));

        Assert.Equal(StripeObjectTypes.Price, price.ObjectType);
        Assert.True(price.Active);
        Assert.Equal(49000, price.UnitAmount);
        Assert.Equal("49000", price.UnitAmountDecimal);
        Assert.Equal("usd", price.Currency);
        Assert.Equal("recurring", price.Type);
        Assert.Equal("per_unit", price.BillingScheme);
        Assert.Equal("year", price.Recurring!.Interval);
        Assert.Equal(1, price.Recurring.IntervalCount);
        Assert.Equal("licensed", price.Recurring.UsageType);
        Assert.Equal("price_pro_yearly", price.LookupKey);
        Assert.Equal("prod_pro", price.Product!.Id);
        Assert.False(price.Product.IsExpanded);
        Assert.Equal("prod_pro", expanded.Product!.Expanded!.Id);
        Assert.Equal("product", expanded.Product.Expanded.ObjectType);
    }

    [Fact]
    public async Task List_by_lookup_keys_returns_exactly_those_prices()
    {
        var list = await Stripe.Prices.ListAsync(new PriceListRequest { LookupKeys = ["price_basic_monthly", "price_credits_1000"], Active = true });

        Assert.Equal(StripeObjectTypes.List, list.ObjectType);
        Assert.False(list.HasMore);
        Assert.Equal("/v1/prices", list.Url);
        Assert.Equal(["price_basic_monthly", "price_credits_1000"], list.Data.Select(p => p.Id).Order());
        var credits = list.Data.Single(p => p.Id == "price_credits_1000");
        Assert.Equal("one_time", credits.Type);
        Assert.Null(credits.Recurring);
        Assert.Equal(1000, credits.UnitAmount);
    }

    [Fact]
    public async Task Auto_paging_walks_every_page_with_starting_after()
    {
        var firstPage = await Stripe.Prices.ListAsync(new PriceListRequest { Limit = 4 });
        fixture.Requests.Clear();

        var all = await Stripe.Prices.ListAutoPagingAsync(new PriceListRequest { Limit = 4 }).ToListAsync();
        var recurring = await Stripe.Prices.ListAutoPagingAsync(new PriceListRequest { Limit = 2, Type = "recurring" }).ToListAsync();

        Assert.Equal(4, firstPage.Data.Count);
        Assert.True(firstPage.HasMore);
        Assert.Equal(SeededPrices.Order(), all.Select(p => p.Id).Order());
        Assert.Equal(2, fixture.Requests.Exchanges.Count(e => e.Query.Contains("limit=4", StringComparison.Ordinal)));
        Assert.Contains($"starting_after={firstPage.Data[^1].Id}", fixture.Requests.Exchanges[1].Query, StringComparison.Ordinal);
        Assert.Equal(5, recurring.Count);
        Assert.All(recurring, p => Assert.NotNull(p.Recurring));
    }
}
