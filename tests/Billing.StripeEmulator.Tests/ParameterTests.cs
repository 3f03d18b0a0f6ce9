using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Billing.StripeEmulator.Tests.Infrastructure;
using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests;

/// <summary>
/// The emulator's rule for parameters across its endpoints: a parameter is modelled as Stripe models it, or refused
/// (400 naming it) as Stripe refuses one it does not know; never accepted and ignored, which would let a test pass where
/// Stripe behaves otherwise. The rule for Checkout, subscription updates and invoices is checked beside their other tests.
/// </summary>
public sealed class ParameterTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private StripeApiClient Stripe => emulator.Stripe;

    public Task InitializeAsync() => emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Retrieving_or_acting_on_an_object_refuses_a_parameter_it_does_not_know()
    {
        var session = await Flows.SubscribeAsync(Stripe);
        var customer = session.Str("customer");
        var subscription = await Flows.GetSubscriptionAsync(Stripe, session.Str("subscription"));
        var invoice = (await Stripe.GetAsync($"/v1/invoices/{subscription.Str("latest_invoice")}?expand[]=payments")).EnsureOk().Body;
        var payment = invoice["payments"]!.Data()[0]!;
        var paymentIntent = payment["payment"]!.Str("payment_intent");
        var charge = (await Stripe.GetAsync($"/v1/payment_intents/{paymentIntent}")).EnsureOk().Body.Str("latest_charge");
        var refund = (await Stripe.PostAsync("/v1/refunds", ("payment_intent", paymentIntent), ("amount", "100"))).EnsureOk().Id;
        var dispute = (await Stripe.ControlAsync($"/_emulator/charges/{charge}/dispute")).EnsureOk().Id;
        var item = (await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("amount", "500"), ("currency", "usd"))).EnsureOk().Id;
        var evt = (await Stripe.GetAsync("/v1/events?limit=1")).EnsureOk().Body.Data()[0]!.Str("id");
        var open = await OpenInvoiceAsync(customer);
        var openSession = await Flows.CreateSessionAsync(Stripe, "price_basic_monthly");
        string[] reads =
        [
            $"/v1/customers/{customer}", $"/v1/subscriptions/{session.Str("subscription")}", $"/v1/invoices/{invoice.Str("id")}",
            $"/v1/checkout/sessions/{session.Str("id")}", "/v1/prices/price_pro_monthly", "/v1/products/prod_pro", $"/v1/events/{evt}",
            $"/v1/charges/{charge}", $"/v1/payment_intents/{paymentIntent}", $"/v1/invoice_payments/{payment.Str("id")}",
            $"/v1/refunds/{refund}", $"/v1/disputes/{dispute}", $"/v1/invoiceitems/{item}",
        ];

        foreach (var path in reads)
        {
            AssertUnknown(await Stripe.GetAsync($"{path}?unknown_param=1"), "unknown_param", path);
        }

        AssertUnknown(await Stripe.PostAsync($"/v1/invoices/{open}/void", ("unknown_param", "1")), "unknown_param", "void");
        AssertUnknown(await Stripe.PostAsync($"/v1/checkout/sessions/{openSession}/expire", ("unknown_param", "1")), "unknown_param", "expire");
        Assert.Equal("open", (await Stripe.GetAsync($"/v1/invoices/{open}")).EnsureOk().Body.Str("status"));
        Assert.Equal("open", (await Stripe.GetAsync($"/v1/checkout/sessions/{openSession}")).EnsureOk().Body.Str("status"));
        Assert.Equal("charge", (await Stripe.GetAsync($"/v1/disputes/{dispute}?expand[]=charge")).EnsureOk().Body["charge"]!.Str("object"));
    }

    [Fact]
    public async Task List_filters_the_emulator_does_not_model_are_refused_rather_than_listing_everything()
    {
        await Flows.SubscribeAsync(Stripe);
        (string Path, string Param)[] lists =
        [
            ("/v1/subscriptions?test_clock=clock_1", "test_clock"),
            ("/v1/customers?test_clock=clock_1", "test_clock"),
            ("/v1/checkout/sessions?payment_link=plink_1", "payment_link"),
            ("/v1/checkout/sessions?customer_account=acct_1", "customer_account"),
            ("/v1/invoices?due_date[gte]=1", "due_date"),
            ("/v1/prices?recurring[interval]=year", "recurring"),
            ("/v1/invoice_payments?created[gte]=1", "created"),
            ("/v1/invoice_payments?payment[type]=payment_record&payment[payment_record]=pr_1", "payment[payment_record]"),
        ];

        foreach (var (path, param) in lists)
        {
            AssertUnknown(await Stripe.GetAsync(path), param, path);
        }
    }

    [Fact]
    public async Task Creation_parameters_the_emulator_does_not_model_are_refused_and_create_nothing()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe, "first@example.com");
        (string Path, (string, string)[] Form, string Param)[] writes =
        [
            ("/v1/customers", [("email", "a@example.com"), ("invoice_settings[default_payment_method]", "pm_1")], "invoice_settings"),
            ("/v1/customers", [("email", "a@example.com"), ("tax_exempt", "exempt")], "tax_exempt"),
            ("/v1/customers", [("email", "a@example.com"), ("test_clock", "clock_1")], "test_clock"),
            ($"/v1/customers/{customer}", [("address[country]", "DE")], "address"),
            ("/v1/prices", [("currency", "usd"), ("unit_amount", "100"), ("product", "prod_pro"), ("recurring[interval]", "month"), ("recurring[usage_type]", "metered")], "recurring[usage_type]"),
            ("/v1/prices", [("currency", "usd"), ("unit_amount", "100"), ("product", "prod_pro"), ("recurring[interval]", "month"), ("recurring[trial_period_days]", "7")], "recurring[trial_period_days]"),
            ("/v1/prices", [("currency", "usd"), ("unit_amount", "100"), ("product", "prod_pro"), ("tax_behavior", "inclusive")], "tax_behavior"),
            ("/v1/prices", [("currency", "usd"), ("unit_amount", "100"), ("product", "prod_pro"), ("billing_scheme", "tiered")], "billing_scheme"),
            ("/v1/products", [("name", "Shirt"), ("shippable", "true")], "shippable"),
            ("/v1/billing_portal/sessions", [("customer", customer), ("flow_data[type]", "subscription_cancel"), ("flow_data[subscription_cancel][subscription]", "sub_1")], "flow_data[subscription_cancel]"),
            ("/v1/billing_portal/sessions", [("customer", customer), ("on_behalf_of", "acct_1")], "on_behalf_of"),
        ];

        var prices = (await Stripe.GetAsync("/v1/prices?product=prod_pro&limit=100")).EnsureOk().Body.Data().Count;

        foreach (var (path, form, param) in writes)
        {
            AssertRefused(await Stripe.PostAsync(path, form), param, path);
        }

        Assert.Single((await Stripe.GetAsync("/v1/customers")).EnsureOk().Body.Data());
        Assert.Null((await Stripe.GetAsync($"/v1/customers/{customer}")).EnsureOk().Body["address"]);
        Assert.Equal(prices, (await Stripe.GetAsync("/v1/prices?product=prod_pro&limit=100")).EnsureOk().Body.Data().Count);

        // product_data[active] is modelled: the product is created archived, as asked.
        var archived = (await Stripe.PostAsync("/v1/prices?expand[]=product", ("currency", "usd"), ("unit_amount", "100"), ("product_data[name]", "Old"), ("product_data[active]", "false"))).EnsureOk().Body;
        Assert.False(archived["product"]!.Bool("active"));
    }

    [Fact]
    public async Task Test_controls_refuse_a_parameter_they_do_not_take()
    {
        await Flows.SubscribeAsync(Stripe);
        var evt = (await Stripe.GetAsync("/v1/events?limit=1")).EnsureOk().Body.Data()[0]!.Str("id");
        var before = (await Stripe.GetAsync("/v1/customers")).EnsureOk().Body.Data().Count;

        AssertUnknown(await Stripe.ControlAsync("/_emulator/reset", ("keep_objects", "true")), "keep_objects", "reset");
        AssertUnknown(await Stripe.ControlAsync("/_emulator/webhooks/hold", ("seconds", "10")), "seconds", "hold");
        AssertUnknown(await Stripe.ControlGetAsync("/_emulator/clock?offset=1"), "offset", "clock");
        AssertUnknown(await Stripe.ControlGetAsync("/_emulator/webhook_endpoints?url=x"), "url", "webhook_endpoints");
        AssertUnknown(await Stripe.ControlGetAsync($"/_emulator/events/{evt}/deliveries?url=x"), "url", "deliveries");

        Assert.Equal(before, (await Stripe.GetAsync("/v1/customers")).EnsureOk().Body.Data().Count);
        Assert.False((await Stripe.ControlAsync("/_emulator/webhooks/duplicates", ("enabled", "false"))).EnsureOk().Body.Bool("holding"));
    }

    [Fact]
    public async Task Expand_on_a_deletion_or_a_meter_event_is_refused_as_a_property_that_cannot_be_expanded()
    {
        // Their answers have nothing to expand, so Stripe refuses any path; the emulator took it and did the rest.
        var customer = await Flows.CreateCustomerAsync(Stripe, "gone@example.com");
        var draft = (await Stripe.PostAsync("/v1/invoices", ("customer", customer))).EnsureOk().Id;

        AssertRefused(await Stripe.DeleteAsync($"/v1/invoices/{draft}?expand[]=customer"), "expand", "invoice deletion");
        AssertRefused(await Stripe.DeleteAsync($"/v1/customers/{customer}?expand[]=default_source"), "expand", "customer deletion");
        AssertRefused(
            await Stripe.PostAsync("/v1/billing/meter_events", ("event_name", "api_requests"), ("payload[stripe_customer_id]", customer), ("payload[value]", "1"), ("expand[]", "customer")),
            "expand",
            "meter event");

        Assert.Equal("draft", (await Stripe.GetAsync($"/v1/invoices/{draft}")).EnsureOk().Body.Str("status"));
        Assert.Null((await Stripe.GetAsync($"/v1/customers/{customer}")).EnsureOk().Body["deleted"]);
        Assert.Empty((await Stripe.ControlGetAsync($"/_emulator/billing/meter_events?customer={customer}")).EnsureOk().Body.Data());
        (await Stripe.DeleteAsync($"/v1/customers/{customer}")).EnsureOk();
        AssertRefused(await Stripe.GetAsync($"/v1/customers/{customer}?expand[]=default_source"), "expand", "deleted customer");
    }

    [Fact]
    public async Task A_portal_configuration_other_than_the_emulators_own_is_refused_rather_than_ignored()
    {
        // Stripe answers an unknown configuration with resource_missing, and a real one decides what the portal offers
        // (which changes, cancellation modes, prorations); the emulator has one portal, bpc_emulator_default.
        var customer = await Flows.CreateCustomerAsync(Stripe, "portal@example.com");

        var refused = await Stripe.PostAsync("/v1/billing_portal/sessions", ("customer", customer), ("configuration", "bpc_1NoCancellations"));
        var own = await Stripe.PostAsync("/v1/billing_portal/sessions", ("customer", customer), ("configuration", "bpc_emulator_default"));

        AssertRefused(refused, "configuration", "portal");
        Assert.Equal("bpc_emulator_default", own.EnsureOk().Body.Str("configuration"));
    }

    [Theory]
    [InlineData("subscription_cancel")]
    [InlineData("subscription_update")]
    [InlineData("subscription_update_confirm")]
    public async Task A_portal_flow_whose_required_hash_the_emulator_refuses_is_refused_too(string flow)
    {
        // Stripe requires flow_data[<type>] with these types (the subscription to cancel or update) and answers 400 without
        // it; the emulator refuses that hash as not modelled, so it must refuse the type too rather than create a session
        // Stripe never would, whose portal then offers everything instead of the one flow.
        var customer = await Flows.CreateCustomerAsync(Stripe, "flow@example.com");

        AssertRefused(await Stripe.PostAsync("/v1/billing_portal/sessions", ("customer", customer), ("flow_data[type]", flow)), "flow_data[type]", flow);
        Assert.Equal("payment_method_update", (await Stripe.PostAsync("/v1/billing_portal/sessions", ("customer", customer), ("flow_data[type]", "payment_method_update"))).EnsureOk().Body["flow"]!.Str("type"));
    }

    [Fact]
    public async Task A_connected_account_header_is_refused_as_Stripe_refuses_an_account_the_key_cannot_reach()
    {
        // Stripe-Account makes the request on a connected account (Connect); the emulator has one account, so the
        // request would otherwise act on the platform's objects. Stripe answers an account the key cannot reach with 403.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/customers") { Content = new FormUrlEncodedContent([KeyValuePair.Create("email", "connect@example.com")]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StripeEmulatorProcess.SecretKey);
        request.Headers.Add("Stripe-Account", "acct_1Connected");

        using var response = await Stripe.Http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(("invalid_request_error", "account_invalid"), (body["error"]!.Str("type"), body["error"]!.Str("code")));
        Assert.Empty((await Stripe.GetAsync("/v1/customers")).EnsureOk().Body.Data());
    }

    private async Task<string> OpenInvoiceAsync(string customer)
    {
        var draft = (await Stripe.PostAsync("/v1/invoices", ("customer", customer))).EnsureOk().Id;
        (await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("invoice", draft), ("amount", "700"), ("currency", "usd"))).EnsureOk();
        (await Stripe.PostAsync($"/v1/invoices/{draft}/finalize", ("auto_advance", "false"))).EnsureOk();
        return draft;
    }

    /// <summary>400 `parameter_unknown` naming <paramref name="param"/>, as Stripe refuses a parameter it does not know.</summary>
    internal static void AssertUnknown(ApiResult result, string param, string where)
    {
        AssertRefused(result, param, where);
        Assert.Equal("parameter_unknown", result.Error.Str("code"));
    }

    /// <summary>400 naming <paramref name="param"/> (an unknown or not modelled parameter, or a value the emulator does not model).</summary>
    internal static void AssertRefused(ApiResult result, string param, string where)
    {
        Assert.True(result.Status == HttpStatusCode.BadRequest, $"{where}: expected 400, got {(int)result.Status} {result.Body.ToJsonString()}");
        Assert.Equal(param, result.Error.Str("param"));
    }
}
