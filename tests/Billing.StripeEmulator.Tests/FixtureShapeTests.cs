using System.Text.Json.Nodes;
using Billing.StripeEmulator.Tests.Infrastructure;
using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests;

/// <summary>
/// The emulator's objects carry the fields of Stripe's official example objects (../shared/stripe/fixtures3.json,
/// read at run time; skipped with a note when the folder is absent). Those fixtures are 2026-07-29.dahlia while the
/// emulator speaks 2026-10-28.endive: the fields endive (per Stripe.net 53.1.0's models) adds, and the ones it
/// dropped, are listed in <see cref="EndiveAdditions"/> and <see cref="EndiveRemovals"/>; every other field must match.
/// </summary>
public sealed class FixtureShapeTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    /// <summary>Fields an endive object has that the dahlia fixture lacks (Stripe.net 53.1.0 reads them).</summary>
    private static readonly Dictionary<string, string[]> EndiveAdditions = new(StringComparer.Ordinal)
    {
        ["subscription"] = ["status_details"],
        ["subscription_item"] = ["current_trial", "billed_until"],
        ["invoice"] = ["status_details", "threshold_reason", "amount_paid_off_stripe"],
        ["invoiceitem"] = ["frozen_fields", "invoicing_rules", "proration_details"],
        ["billing_portal.session"] = ["after_expiration"],
        ["customer"] = ["business_name", "individual_name"],
        ["checkout.session"] =
        [
            "allowed_payment_method_types", "excluded_payment_method_types", "redirect_on_completion", "return_url", "name_collection",
            "optional_items", "branding_settings", "tax_id_collection", "presentment_details",
        ],
        ["charge"] = [],
        ["refund"] = [],
    };

    /// <summary>Fixture fields the emulator deliberately leaves out.</summary>
    private static readonly Dictionary<string, string[]> EndiveRemovals = new(StringComparer.Ordinal)
    {
        // Not in Stripe.net's endive Invoice: the subscription is parent.subscription_details.subscription.
        ["invoice"] = ["subscription"],

        // Object-specific examples the emulator's card charge has no use for (a `source` of the legacy Sources API).
        ["charge"] = ["source"],
    };

    private StripeApiClient Stripe => emulator.Stripe;

    public Task InitializeAsync() => emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [FixturesFact]
    public async Task Objects_have_the_fields_of_the_official_fixtures()
    {
        var fixtures = JsonNode.Parse(File.ReadAllText(FixturesFactAttribute.Path!))!["resources"]!;

        var completed = await Flows.SubscribeAsync(Stripe);
        var customer = completed.Str("customer");
        var subscription = await Flows.GetSubscriptionAsync(Stripe, completed.Str("subscription"));
        var invoice = (await Stripe.GetAsync($"/v1/invoices/{completed.Str("invoice")}?expand[]=payments")).EnsureOk().Body;
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
        var plainInvoice = invoice.DeepClone().AsObject();
        plainInvoice.Remove("payments");
        AssertSameFields(fixtures, "invoice", plainInvoice);
        AssertSameFields(fixtures, "line_item", invoice["lines"]!.Data()[0]!);
        AssertSameFields(fixtures, "checkout.session", session);
        AssertSameFields(fixtures, "item", lineItems);
        AssertSameFields(fixtures, "invoiceitem", invoiceItem);
        AssertSameFields(fixtures, "billing_portal.session", portal);
        AssertSameFields(fixtures, "billing.meter_event", meterEvent);
        AssertSameFields(fixtures, "event", evt);
        var paymentIntent = (await Stripe.GetAsync($"/v1/payment_intents/{invoice["payments"]!.Data()[0]!["payment"]!.Str("payment_intent")}")).EnsureOk().Body;
        var refund = (await Stripe.PostAsync("/v1/refunds", ("payment_intent", paymentIntent.Str("id")), ("amount", "100"))).EnsureOk().Body;
        AssertSameFields(fixtures, "invoice_payment", invoice["payments"]!.Data()[0]!);
        AssertSameFields(fixtures, "payment_intent", paymentIntent);
        AssertSameFields(fixtures, "charge", (await Stripe.GetAsync($"/v1/charges/{paymentIntent.Str("latest_charge")}")).EnsureOk().Body);
        AssertSameFields(fixtures, "refund", refund);
        AssertSameFields(fixtures, "product", (await Stripe.GetAsync($"/v1/products/{subscription.Item()["price"]!.Str("product")}")).EnsureOk().Body);
        AssertSameFields(fixtures, "customer_balance_transaction", (await Stripe.PostAsync($"/v1/customers/{customer}/balance_transactions", ("amount", "-100"), ("currency", "usd"))).EnsureOk().Body);
    }

    private static void AssertSameFields(JsonNode fixtures, string type, JsonNode actual)
    {
        var expected = fixtures[type]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var fields = actual.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var added = EndiveAdditions.GetValueOrDefault(type, []);
        var removed = EndiveRemovals.GetValueOrDefault(type, []);
        var missing = expected.Except(fields).Except(removed).Order(StringComparer.Ordinal).ToList();
        var extra = fields.Except(expected).Except(added).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0, $"{type}: missing [{string.Join(", ", missing)}], extra [{string.Join(", ", extra)}]");
        Assert.All(removed, field => Assert.False(fields.Contains(field), $"{type}.{field} is not an endive field"));
    }

}

/// <summary>A test of Stripe's official fixtures (../shared/stripe/fixtures3.json); reported as skipped, saying why, when they are absent.</summary>
internal sealed class FixturesFactAttribute : FactAttribute
{
    public FixturesFactAttribute()
    {
        if (Path is null)
        {
            Skip = "../shared/stripe/fixtures3.json is absent: put the shared folder beside the clone or set BILLING_SHARED_DIR.";
        }
    }

    public static string? Path =>
        RepoPaths.SharedStripeDir is { } dir && File.Exists(System.IO.Path.Combine(dir, "fixtures3.json")) ? System.IO.Path.Combine(dir, "fixtures3.json") : null;
}
