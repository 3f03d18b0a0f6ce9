using System.Net;
using Billing.StripeEmulator.Tests.Infrastructure;

namespace Billing.StripeEmulator.Tests;

public sealed class CatalogAndMeteringTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private StripeApiClient Stripe => emulator.Stripe;

    public Task InitializeAsync() => emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("price_basic_monthly", 1900, "month")]
    [InlineData("price_basic_yearly", 19000, "year")]
    [InlineData("price_pro_monthly", 4900, "month")]
    [InlineData("price_pro_yearly", 49000, "year")]
    [InlineData("price_enterprise_monthly", 19900, "month")]
    [InlineData("price_credits_1000", 1000, null)]
    public async Task The_default_catalog_is_seeded(string id, long amount, string? interval)
    {
        var price = (await Stripe.GetAsync($"/v1/prices/{id}")).EnsureOk().Body;

        Assert.Equal("price", price.Str("object"));
        Assert.Equal(amount, price.Number("unit_amount"));
        Assert.Equal("usd", price.Str("currency"));
        Assert.Equal(id, price.Str("lookup_key"));
        Assert.Equal(interval is null ? "one_time" : "recurring", price.Str("type"));
        Assert.Equal(interval, price["recurring"]?.StrOrNull("interval"));
        Assert.StartsWith("prod_", price.Str("product"));
    }

    [Fact]
    public async Task Prices_are_found_by_lookup_keys_and_products_expand()
    {
        var list = (await Stripe.GetAsync("/v1/prices?lookup_keys[]=price_pro_monthly&lookup_keys[]=price_pro_yearly&expand[]=data.product")).EnsureOk().Body;

        Assert.Equal(["price_pro_yearly", "price_pro_monthly"], list.Data().Select(p => p!.Str("id")));
        Assert.All(list.Data(), p => Assert.Equal("Pro", p!["product"]!.Str("name")));
    }

    [Fact]
    public async Task Products_and_prices_can_be_created_and_used_in_checkout()
    {
        var product = (await Stripe.PostAsync("/v1/products", ("name", "Team"), ("id", "prod_team"))).EnsureOk().Body;
        var price = (await Stripe.PostAsync(
            "/v1/prices",
            ("product", product.Str("id")),
            ("currency", "eur"),
            ("unit_amount", "2500"),
            ("recurring[interval]", "month"),
            ("lookup_key", "team_monthly"))).EnsureOk().Body;
        var duplicateKey = await Stripe.PostAsync("/v1/prices", ("product", "prod_team"), ("currency", "eur"), ("unit_amount", "1"), ("lookup_key", "team_monthly"));

        var completed = await Flows.SubscribeAsync(Stripe, price.Str("id"));

        Assert.StartsWith("price_", price.Str("id"));
        Assert.Equal("team_monthly", price.Str("lookup_key"));
        Assert.Equal(HttpStatusCode.BadRequest, duplicateKey.Status);
        Assert.Equal(2500, completed.Number("amount_total"));
        Assert.Equal("eur", completed.Str("currency"));
    }

    [Fact]
    public async Task Meter_events_are_recorded_and_identifiers_deduplicated()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe);

        var first = (await Stripe.PostAsync("/v1/billing/meter_events", ("event_name", "api_requests"), ("payload[stripe_customer_id]", customer), ("payload[value]", "25"), ("identifier", "usage-1"))).EnsureOk().Body;
        var duplicate = await Stripe.PostAsync("/v1/billing/meter_events", ("event_name", "api_requests"), ("payload[stripe_customer_id]", customer), ("payload[value]", "25"), ("identifier", "usage-1"));
        (await Stripe.PostAsync("/v1/billing/meter_events", ("event_name", "api_requests"), ("payload[stripe_customer_id]", customer), ("payload[value]", "5"))).EnsureOk();
        var missingPayload = await Stripe.PostAsync("/v1/billing/meter_events", ("event_name", "api_requests"));
        var recorded = (await Stripe.ControlGetAsync($"/_emulator/billing/meter_events?event_name=api_requests&customer={customer}")).EnsureOk().Body;

        Assert.Equal("billing.meter_event", first.Str("object"));
        Assert.Equal("usage-1", first.Str("identifier"));
        Assert.Equal("25", first["payload"]!.Str("value"));
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.Status);
        Assert.Contains("usage-1", duplicate.Error.Str("message"));
        Assert.Equal("false", duplicate.Header("Stripe-Should-Retry"));
        Assert.Equal("payload", missingPayload.Error.Str("param"));
        Assert.Equal(2, recorded.Data().Count);
        Assert.Equal("30", recorded.Str("total_value"));
    }

    [Fact]
    public async Task A_portal_session_has_a_local_url_with_the_customers_subscriptions()
    {
        var completed = await Flows.SubscribeAsync(Stripe, "price_basic_monthly");

        var session = (await Stripe.PostAsync("/v1/billing_portal/sessions", ("customer", completed.Str("customer")), ("return_url", "https://app.example.com/account"))).EnsureOk().Body;
        var page = await Stripe.Http.GetStringAsync(new Uri(session.Str("url")).PathAndQuery);
        var missing = await Stripe.PostAsync("/v1/billing_portal/sessions", ("return_url", "https://app.example.com/account"));

        Assert.StartsWith("bps_", session.Str("id"));
        Assert.Equal("billing_portal.session", session.Str("object"));
        Assert.Equal("https://app.example.com/account", session.Str("return_url"));
        Assert.StartsWith(emulator.BaseUrl + "/billing_portal/", session.Str("url"));
        Assert.Contains("Basic", page);
        Assert.Contains("Cancel at period end", page);
        Assert.Equal("parameter_missing", missing.Error.Str("code"));

        using var form = new FormUrlEncodedContent([KeyValuePair.Create("subscription", completed.Str("subscription")), KeyValuePair.Create("enabled", "true")]);
        using var cancel = await Stripe.Http.PostAsync($"{new Uri(session.Str("url")).AbsolutePath}/cancel_at_period_end", form);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Contains("then cancels", await cancel.Content.ReadAsStringAsync());
        Assert.True((await Flows.GetSubscriptionAsync(Stripe, completed.Str("subscription"))).Bool("cancel_at_period_end"));
    }
}
