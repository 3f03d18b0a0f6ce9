using System.Text.Json.Nodes;
using Billing.StripeEmulator.Tests.Infrastructure;
using Billing.TestSupport;
using Xunit.Abstractions;

namespace Billing.StripeEmulator.Tests;

/// <summary>
/// The emulator's objects carry exactly the fields of Stripe's official 2026-07-29.dahlia example objects
/// (../shared/stripe/fixtures3.json, read at run time; skipped with a note when the folder is absent).
/// </summary>
public sealed class FixtureShapeTests(EmulatorFixture emulator, ITestOutputHelper output) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private StripeApiClient Stripe => emulator.Stripe;

    public Task InitializeAsync() => emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Objects_have_the_fields_of_the_official_fixtures()
    {
        var fixtures = LoadFixtures();
        if (fixtures is null)
        {
            return;
        }

        var completed = await Flows.SubscribeAsync(Stripe);
        var customer = completed.Str("customer");
        var subscription = await Flows.GetSubscriptionAsync(Stripe, completed.Str("subscription"));
        var invoice = (await Stripe.GetAsync($"/v1/invoices/{completed.Str("invoice")}")).EnsureOk().Body;
        var session = (await Stripe.GetAsync($"/v1/checkout/sessions/{completed.Str("id")}")).EnsureOk().Body;
        var invoiceItem = (await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("amount", "100"), ("currency", "usd"))).EnsureOk().Body;
        var portal = (await Stripe.PostAsync("/v1/billing_portal/sessions", ("customer", customer))).EnsureOk().Body;
        var meterEvent = (await Stripe.PostAsync("/v1/billing/meter_events", ("event_name", "api"), ("payload[stripe_customer_id]", customer), ("payload[value]", "1"))).EnsureOk().Body;
        var evt = (await Stripe.GetAsync("/v1/events?limit=1")).EnsureOk().Body.Data()[0]!;
        var lineItems = (await Stripe.GetAsync($"/v1/checkout/sessions/{completed.Str("id")}/line_items")).EnsureOk().Body.Data()[0]!;

        AssertSameFields(fixtures, "customer", (await Stripe.GetAsync($"/v1/customers/{customer}")).EnsureOk().Body);
        AssertSameFields(fixtures, "subscription", subscription);
        AssertSameFields(fixtures, "subscription_item", subscription.Item());
        AssertSameFields(fixtures, "price", subscription.Item()["price"]!);
        AssertSameFields(fixtures, "invoice", invoice);
        AssertSameFields(fixtures, "line_item", invoice["lines"]!.Data()[0]!);
        AssertSameFields(fixtures, "checkout.session", session);
        AssertSameFields(fixtures, "item", lineItems);
        AssertSameFields(fixtures, "invoiceitem", invoiceItem);
        AssertSameFields(fixtures, "billing_portal.session", portal);
        AssertSameFields(fixtures, "billing.meter_event", meterEvent);
        AssertSameFields(fixtures, "event", evt);
        AssertSameFields(fixtures, "product", (await Stripe.GetAsync($"/v1/products/{subscription.Item()["price"]!.Str("product")}")).EnsureOk().Body);
    }

    private static void AssertSameFields(JsonNode fixtures, string type, JsonNode actual)
    {
        var expected = fixtures[type]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        var fields = actual.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        Assert.True(
            expected.SequenceEqual(fields),
            $"{type}: missing [{string.Join(", ", expected.Except(fields))}], extra [{string.Join(", ", fields.Except(expected))}]");
    }

    private JsonNode? LoadFixtures()
    {
        var dir = RepoPaths.SharedStripeDir;
        if (dir is null || !File.Exists(Path.Combine(dir, "fixtures3.json")))
        {
            output.WriteLine("SKIPPED: ../shared/stripe/fixtures3.json is absent (set BILLING_SHARED_DIR).");
            return null;
        }

        return JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "fixtures3.json")))!["resources"];
    }
}
