using Billing.StripeEmulator.Tests.StripeNet.Support;
using Stripe;

namespace Billing.StripeEmulator.Tests.StripeNet;

/// <summary>Prices, the billing portal and meter events.</summary>
[Collection(SharedStripeNetEmulator.Name)]
public sealed class CatalogTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    [Covers("PriceService.ListAsync", "PriceService.ListAutoPagingAsync", "PriceService.GetAsync")]
    public async Task Prices_list_by_lookup_key_and_auto_page_over_the_seeded_catalog()
    {
        var byKey = await Client.V1.Prices.ListAsync(new PriceListOptions { LookupKeys = ["price_pro_monthly", "price_credits_1000"], Expand = ["data.product"] });
        var all = new List<Price>();
        await foreach (var price in Client.V1.Prices.ListAutoPagingAsync(new PriceListOptions { Limit = 2 }))
        {
            all.Add(price);
        }

        var credits = await Client.V1.Prices.GetAsync("price_credits_1000");

        Assert.Equal(2, byKey.Data.Count);
        var pro = byKey.Data.Single(p => p.LookupKey == "price_pro_monthly");
        Assert.Equal(4900, pro.UnitAmount);
        Assert.Equal("month", pro.Recurring.Interval);
        Assert.Equal("Pro", pro.Product.Name);
        Assert.Equal(10, all.Select(p => p.Id).Distinct().Count());
        Assert.Equal("one_time", credits.Type);
        Assert.Null(credits.Recurring);
    }

    [Fact]
    [Covers("BillingPortal.SessionService.CreateAsync")]
    public async Task A_portal_session_has_a_url_and_no_after_expiration()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "portal@example.com" });

        var session = await Client.V1.BillingPortal.Sessions.CreateAsync(new Stripe.BillingPortal.SessionCreateOptions
        {
            Customer = customer.Id,
            ReturnUrl = "https://app.example.com/billing",
        });

        Assert.StartsWith("bps_", session.Id);
        Assert.Equal($"{fixture.ApiBase}/billing_portal/{session.Id}", session.Url);
        Assert.Equal("https://app.example.com/billing", session.ReturnUrl);
        Assert.Null(session.AfterExpiration);
    }

    [Fact]
    [Covers("Billing.MeterEventService.CreateAsync")]
    public async Task A_meter_event_is_recorded_and_a_repeated_identifier_is_refused()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "meter@example.com" });
        var options = new Stripe.Billing.MeterEventCreateOptions
        {
            EventName = "api_requests",
            Identifier = "req_0001",
            Payload = new Dictionary<string, string> { ["stripe_customer_id"] = customer.Id, ["value"] = "25" },
        };

        var recorded = await Client.V1.Billing.MeterEvents.CreateAsync(options);
        var repeated = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Billing.MeterEvents.CreateAsync(options));
        var total = await fixture.Emulator.Controls.GetStringAsync(new Uri($"/_emulator/billing/meter_events?event_name=api_requests&customer={customer.Id}", UriKind.Relative));

        Assert.Equal("api_requests", recorded.EventName);
        Assert.Equal("req_0001", recorded.Identifier);
        Assert.Equal("25", recorded.Payload["value"]);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, repeated.HttpStatusCode);
        Assert.Contains("\"total_value\": \"25\"", total, StringComparison.Ordinal);
    }
}
