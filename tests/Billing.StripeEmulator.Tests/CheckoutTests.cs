using System.Net;
using Billing.StripeEmulator.Tests.Infrastructure;

namespace Billing.StripeEmulator.Tests;

public sealed class CheckoutTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private static readonly string[] SubscriptionCheckoutOrder =
    [
        "customer.created", "checkout.session.completed", "customer.subscription.created", "invoice.created",
        "invoice.finalized", "invoice.paid", "invoice.payment_succeeded",
    ];

    private StripeApiClient Stripe => emulator.Stripe;

    public Task InitializeAsync() => emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Create_returns_an_open_session_with_a_local_payment_url()
    {
        var session = (await Stripe.PostAsync(
            "/v1/checkout/sessions",
            ("mode", "subscription"),
            ("line_items[0][price]", "price_basic_monthly"),
            ("line_items[0][quantity]", "1"),
            ("success_url", "https://app.example.com/ok"),
            ("cancel_url", "https://app.example.com/cancel"))).EnsureOk().Body;

        Assert.StartsWith("cs_test_", session.Str("id"));
        Assert.Equal("checkout.session", session.Str("object"));
        Assert.Equal("open", session.Str("status"));
        Assert.Equal("unpaid", session.Str("payment_status"));
        Assert.Equal("subscription", session.Str("mode"));
        Assert.Equal(1900, session.Number("amount_total"));
        Assert.Equal("usd", session.Str("currency"));
        Assert.Equal($"{emulator.BaseUrl}/checkout/{session.Str("id")}", session.Str("url"));
        Assert.True(session.Number("expires_at") > session.Number("created"));
        Assert.Null(session["subscription"]);
        Assert.Null(session["customer"]);
    }

    [Fact]
    public async Task Completing_a_subscription_checkout_delivers_signed_webhooks_in_stripe_order()
    {
        var sessionId = (await Stripe.PostAsync(
            "/v1/checkout/sessions",
            ("mode", "subscription"),
            ("line_items[0][price]", "price_pro_monthly"),
            ("line_items[0][quantity]", "1"),
            ("client_reference_id", "account_7"),
            ("metadata[account_id]", "account_7"),
            ("subscription_data[metadata][account_id]", "account_7"),
            ("success_url", "https://app.example.com/ok"))).EnsureOk().Id;

        var completed = (await Stripe.ControlAsync($"/_emulator/checkout/sessions/{sessionId}/complete", ("payment_method", "succeeding"), ("email", "buyer@example.com"))).EnsureOk().Body;
        var deliveries = await emulator.Receiver.WaitForAsync(d => d.Count >= SubscriptionCheckoutOrder.Length, what: "checkout events");

        Assert.Equal(SubscriptionCheckoutOrder, deliveries.Select(d => d.Type));
        Assert.All(deliveries, d =>
        {
            Assert.True(d.SignatureValid, $"bad signature on {d.Type}: {d.Signature}");
            Assert.StartsWith("application/json", d.ContentType);
            Assert.StartsWith("evt_", d.EventId);
            Assert.Equal("event", d.Event!.Str("object"));
            Assert.Equal("2026-10-28.endive", d.Event!.Str("api_version"));
            Assert.False(d.Event!.Bool("livemode"));
            Assert.NotNull(d.Event!["request"]);
            Assert.True(d.Event!.Number("pending_webhooks") >= 0);
        });
        Assert.Equal(deliveries.Count, deliveries.Select(d => d.EventId).Distinct().Count());

        var sessionEvent = deliveries[1].DataObject;
        Assert.Equal("complete", sessionEvent.Str("status"));
        Assert.Equal("paid", sessionEvent.Str("payment_status"));
        Assert.Equal("account_7", sessionEvent.Str("client_reference_id"));
        Assert.Equal("account_7", sessionEvent["metadata"]!.Str("account_id"));
        Assert.Equal("buyer@example.com", sessionEvent["customer_details"]!.Str("email"));
        Assert.Equal(completed.Str("subscription"), sessionEvent.Str("subscription"));
        Assert.Equal(deliveries[0].DataObject.Str("id"), sessionEvent.Str("customer"));

        var subscription = deliveries[2].DataObject;
        Assert.Equal("active", subscription.Str("status"));
        Assert.Equal("account_7", subscription["metadata"]!.Str("account_id"));
        Assert.Null(subscription["current_period_end"]);
        var item = subscription.Item();
        Assert.Equal("price_pro_monthly", item["price"]!.Str("id"));
        Assert.True(item.Number("current_period_end") > item.Number("current_period_start"));
        Assert.Equal(completed.Str("invoice"), subscription.Str("latest_invoice"));

        Assert.Equal("draft", deliveries[3].DataObject.Str("status"));
        Assert.Equal("open", deliveries[4].DataObject.Str("status"));
        var paid = deliveries[5].DataObject;
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(4900, paid.Number("amount_paid"));
        Assert.Equal("subscription_create", paid.Str("billing_reason"));
        Assert.Equal(subscription.Str("id"), paid["parent"]!["subscription_details"]!.Str("subscription"));
    }

    [Fact]
    public async Task An_archived_price_or_an_active_price_of_an_archived_product_is_refused_and_no_session_made()
    {
        // Stripe refuses both: "The price specified is inactive. This field only accepts active prices."
        // (invertase/stripe-firebase-extensions#560), and a price still active on a product archived in the Dashboard
        // ("It's possible for the Price to have active: true but the underlying Product to have active: false",
        // stripe/stripe-node#2131, where Checkout then failed; "The product ... is marked as inactive, and thus no new
        // subscriptions can be created to any plans of this product", stripe/stripe-go#1031).
        var archivedProduct = (await Stripe.PostAsync("/v1/products", ("name", "Retired plan"), ("active", "false"))).EnsureOk().Id;
        var onArchivedProduct = (await Stripe.PostAsync("/v1/prices", ("product", archivedProduct), ("currency", "usd"), ("unit_amount", "900"), ("recurring[interval]", "month"))).EnsureOk().Id;
        var archived = (await Stripe.PostAsync("/v1/prices", ("product", "prod_pro"), ("currency", "usd"), ("unit_amount", "900"), ("recurring[interval]", "month"), ("active", "false"))).EnsureOk().Id;

        foreach (var price in new[] { archived, onArchivedProduct })
        {
            var refused = await Stripe.PostAsync(
                "/v1/checkout/sessions",
                ("mode", "subscription"), ("line_items[0][price]", price), ("line_items[0][quantity]", "1"), ("success_url", "https://app.example.com/ok"));

            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Equal("line_items[0][price]", refused.Error.Str("param"));
        }

        Assert.Empty((await Stripe.GetAsync("/v1/checkout/sessions")).EnsureOk().Body.Data());
    }

    [Fact]
    public async Task Trial_period_days_are_honoured()
    {
        var completed = await Flows.SubscribeAsync(Stripe, "price_basic_monthly", trialDays: 14);

        Assert.Equal("no_payment_required", completed.Str("payment_status"));
        var subscription = await Flows.GetSubscriptionAsync(Stripe, completed.Str("subscription"));
        Assert.Equal("trialing", subscription.Str("status"));
        Assert.Equal(14 * 86400, subscription.Number("trial_end") - subscription.Number("trial_start"));
        Assert.Equal(subscription.Number("trial_end"), subscription.Item().Number("current_period_end"));
        var invoice = (await Stripe.GetAsync($"/v1/invoices/{completed.Str("invoice")}")).EnsureOk().Body;
        Assert.Equal("paid", invoice.Str("status"));
        Assert.Equal(0, invoice.Number("amount_due"));
        Assert.StartsWith("Trial period for Basic", invoice["lines"]!.Data()[0]!.Str("description"));
        var deliveries = await emulator.Receiver.WaitForTypesAsync("customer.subscription.created", "invoice.paid");
        Assert.Equal("trialing", deliveries.Single(d => d.Type == "customer.subscription.created").DataObject.Str("status"));
    }

    [Fact]
    public async Task A_trial_end_given_to_Checkout_ends_the_trial_at_that_second_however_late_the_session_is_paid()
    {
        // Stripe: subscription_data.trial_end is the "Unix timestamp representing the end of the trial period"; the
        // subscription's trial, first period and billing cycle anchor end there, not at a whole number of days from payment.
        var now = (await Stripe.ControlGetAsync("/_emulator/clock")).EnsureOk().Body.Number("now");
        var trialEnd = now + (3 * 86400) + 12345;
        var sessionId = await Flows.CreateSessionAsync(Stripe, "price_basic_monthly", extra: ("subscription_data[trial_end]", trialEnd.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        (await Flows.AdvanceAsync(Stripe, TimeSpan.FromHours(5))).EnsureOk(); // paid hours after the session was opened

        var completed = (await Stripe.ControlAsync($"/_emulator/checkout/sessions/{sessionId}/complete", ("payment_method", "succeeding"))).EnsureOk().Body;

        var subscription = await Flows.GetSubscriptionAsync(Stripe, completed.Str("subscription"));
        Assert.Equal("trialing", subscription.Str("status"));
        Assert.Equal(trialEnd, subscription.Number("trial_end"));
        Assert.Equal(trialEnd, subscription.Item().Number("current_period_end"));
        Assert.Equal(trialEnd, subscription.Number("billing_cycle_anchor"));
    }

    [Fact]
    public async Task A_billing_cycle_anchor_given_to_Checkout_is_refused_rather_than_ignored()
    {
        // Stripe starts such a subscription with a prorated first period ending at the anchor; the emulator does not
        // model it, and a subscription billed a whole interval from payment would carry other dates than Stripe's.
        var now = (await Stripe.ControlGetAsync("/_emulator/clock")).EnsureOk().Body.Number("now");
        var form = new[]
        {
            ("mode", "subscription"), ("line_items[0][price]", "price_basic_monthly"), ("line_items[0][quantity]", "1"),
            ("success_url", "https://app.example.com/ok"), ("subscription_data[billing_cycle_anchor]", (now + (10 * 86400)).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };

        var refused = await Stripe.PostAsync("/v1/checkout/sessions", form);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("subscription_data[billing_cycle_anchor]", refused.Error.Str("param"));
        Assert.Empty((await Stripe.GetAsync("/v1/checkout/sessions")).EnsureOk().Body.Data());
    }

    [Fact]
    public async Task Checkout_parameters_the_emulator_does_not_model_are_refused_and_make_no_session()
    {
        // Each changes what Stripe bills or collects (tax, discounts, an invoice, a card not collected, an authorization
        // only, a trial that ends without a card, another currency, Connect) or what its page asks; ignored, the session
        // would be paid as if it had not been sent.
        (string Mode, string Key, string Value, string Param)[] unmodelled =
        [
            ("subscription", "automatic_tax[enabled]", "true", "automatic_tax[enabled]"),
            ("subscription", "discounts[0][coupon]", "co_1", "discounts"),
            ("subscription", "payment_method_collection", "if_required", "payment_method_collection"),
            ("subscription", "currency", "eur", "currency"),
            ("subscription", "locale", "de", "locale"),
            ("subscription", "line_items[0][tax_rates][0]", "txr_1", "line_items[0][tax_rates]"),
            ("subscription", "line_items[0][adjustable_quantity][enabled]", "true", "line_items[0][adjustable_quantity]"),
            ("subscription", "subscription_data[trial_settings][end_behavior][missing_payment_method]", "cancel", "subscription_data[trial_settings]"),
            ("subscription", "subscription_data[billing_mode][type]", "flexible", "subscription_data[billing_mode][type]"),
            ("subscription", "subscription_data[default_tax_rates][0]", "txr_1", "subscription_data[default_tax_rates]"),
            ("subscription", "subscription_data[application_fee_percent]", "5", "subscription_data[application_fee_percent]"),
            ("payment", "invoice_creation[enabled]", "true", "invoice_creation[enabled]"),
            ("payment", "payment_intent_data[capture_method]", "manual", "payment_intent_data[capture_method]"),
            ("payment", "payment_intent_data[setup_future_usage]", "off_session", "payment_intent_data[setup_future_usage]"),
        ];

        foreach (var (mode, key, value, param) in unmodelled)
        {
            var price = mode == "payment" ? "price_credits_1000" : "price_basic_monthly";
            var refused = await Stripe.PostAsync(
                "/v1/checkout/sessions",
                ("mode", mode), ("line_items[0][price]", price), ("line_items[0][quantity]", "1"), ("success_url", "https://app.example.com/ok"), (key, value));
            ParameterTests.AssertRefused(refused, param, key);
        }

        Assert.Empty((await Stripe.GetAsync("/v1/checkout/sessions")).EnsureOk().Body.Data());

        // What the emulator does is Stripe's default, and is taken when asked for.
        (await Stripe.PostAsync(
            "/v1/checkout/sessions",
            ("mode", "subscription"), ("line_items[0][price]", "price_basic_monthly"), ("line_items[0][quantity]", "1"), ("success_url", "https://app.example.com/ok"),
            ("currency", "usd"), ("automatic_tax[enabled]", "false"), ("payment_method_collection", "always"), ("subscription_data[billing_mode][type]", "classic"))).EnsureOk();
    }

    [Fact]
    public async Task A_session_that_does_not_let_the_customer_pay_by_card_is_refused_as_the_emulator_pays_by_card()
    {
        // Stripe would show only those methods (a SEPA debit settles days later, a wallet needs its app); the emulator's page
        // pays by card, so such a session would complete at once with a card charge Stripe never makes.
        (string Key, string Value)[][] withoutCard =
        [
            [("allowed_payment_method_types[0]", "sepa_debit")],
            [("payment_method_types[0]", "us_bank_account")],
            [("excluded_payment_method_types[0]", "card")],
        ];

        foreach (var types in withoutCard)
        {
            var refused = await Stripe.PostAsync(
                "/v1/checkout/sessions",
                [("mode", "payment"), ("line_items[0][price]", "price_credits_1000"), ("line_items[0][quantity]", "1"), ("success_url", "https://app.example.com/ok"), .. types]);
            ParameterTests.AssertRefused(refused, types[0].Key[..types[0].Key.IndexOf('[', StringComparison.Ordinal)], types[0].Key);
        }

        Assert.Empty((await Stripe.GetAsync("/v1/checkout/sessions")).EnsureOk().Body.Data());
        (await Stripe.PostAsync(
            "/v1/checkout/sessions",
            ("mode", "payment"), ("line_items[0][price]", "price_credits_1000"), ("line_items[0][quantity]", "1"), ("success_url", "https://app.example.com/ok"),
            ("allowed_payment_method_types[0]", "card"), ("allowed_payment_method_types[1]", "sepa_debit"))).EnsureOk();
        (await Stripe.PostAsync(
            "/v1/checkout/sessions",
            ("mode", "payment"), ("line_items[0][price]", "price_credits_1000"), ("line_items[0][quantity]", "1"), ("success_url", "https://app.example.com/ok"),
            ("excluded_payment_method_types[0]", "klarna"))).EnsureOk();
    }

    [Fact]
    public async Task Payment_mode_completes_with_one_event_and_expandable_line_items()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe, "credits@example.com");
        await emulator.Receiver.WaitForTypesAsync("customer.created");
        emulator.Receiver.Clear();
        var sessionId = (await Stripe.PostAsync(
            "/v1/checkout/sessions",
            ("mode", "payment"),
            ("customer", customer),
            ("line_items[0][price]", "price_credits_1000"),
            ("line_items[0][quantity]", "3"),
            ("metadata[purchase]", "credits"))).EnsureOk().Id;

        var completed = (await Stripe.ControlAsync($"/_emulator/checkout/sessions/{sessionId}/complete")).EnsureOk().Body;
        var expanded = (await Stripe.GetAsync($"/v1/checkout/sessions/{sessionId}?expand[]=line_items")).EnsureOk().Body;
        var deliveries = await emulator.Receiver.WaitForTypesAsync("checkout.session.completed");

        Assert.Equal("paid", completed.Str("payment_status"));
        Assert.Equal(3000, completed.Number("amount_total"));
        Assert.StartsWith("pi_", completed.Str("payment_intent"));
        Assert.Null(completed["subscription"]);
        var line = Assert.Single(expanded["line_items"]!.Data())!;
        Assert.Equal("item", line.Str("object"));
        Assert.Equal("price_credits_1000", line["price"]!.Str("id"));
        Assert.Equal(3, line.Number("quantity"));
        Assert.Equal(3000, line.Number("amount_total"));
        await Task.Delay(300);
        Assert.Equal(["checkout.session.completed"], emulator.Receiver.AcceptedTypes);
        Assert.Equal("credits", deliveries[0].DataObject["metadata"]!.Str("purchase"));
    }

    [Fact]
    public async Task A_declined_card_leaves_the_session_open_and_raises_nothing()
    {
        var sessionId = await Flows.CreateSessionAsync(Stripe, "price_pro_monthly");

        var result = await Stripe.ControlAsync($"/_emulator/checkout/sessions/{sessionId}/complete", ("payment_method", "failing"));

        Assert.Equal(HttpStatusCode.PaymentRequired, result.Status);
        Assert.Equal("card_error", result.Error.Str("type"));
        Assert.Equal("card_declined", result.Error.Str("code"));
        var session = (await Stripe.GetAsync($"/v1/checkout/sessions/{sessionId}")).EnsureOk().Body;
        Assert.Equal("open", session.Str("status"));
        Assert.Empty((await Stripe.GetAsync("/v1/events")).EnsureOk().Body.Data());
    }

    [Fact]
    public async Task The_hosted_page_shows_a_pay_form_and_redirects_to_success_url()
    {
        var sessionId = await Flows.CreateSessionAsync(Stripe, "price_basic_yearly");
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(emulator.BaseUrl) };

        var page = await noRedirect.GetStringAsync($"/checkout/{sessionId}");
        using var pay = await noRedirect.PostAsync($"/checkout/{sessionId}", new FormUrlEncodedContent([KeyValuePair.Create("email", "page@example.com"), KeyValuePair.Create("payment_method", "succeeding")]));

        Assert.Contains("<form method=\"post\"", page);
        Assert.Contains("$190.00", page);
        Assert.True(pay.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.SeeOther or HttpStatusCode.Found, pay.StatusCode.ToString());
        Assert.Equal($"https://app.example.com/ok?session={sessionId}", pay.Headers.Location!.ToString());
        var session = (await Stripe.GetAsync($"/v1/checkout/sessions/{sessionId}")).EnsureOk().Body;
        Assert.Equal("complete", session.Str("status"));
        Assert.Null(session["url"]);
        var customer = (await Stripe.GetAsync($"/v1/customers/{session.Str("customer")}")).EnsureOk().Body;
        Assert.Equal("page@example.com", customer.Str("email"));
    }

    [Fact]
    public async Task Invalid_sessions_are_rejected_like_stripe_does()
    {
        var unknownPrice = await Stripe.PostAsync("/v1/checkout/sessions", ("mode", "subscription"), ("line_items[0][price]", "price_nope"), ("line_items[0][quantity]", "1"));
        var recurringInPaymentMode = await Stripe.PostAsync("/v1/checkout/sessions", ("mode", "payment"), ("line_items[0][price]", "price_pro_monthly"));
        var noMode = await Stripe.PostAsync("/v1/checkout/sessions", ("line_items[0][price]", "price_pro_monthly"));
        var unknownCustomer = await Stripe.PostAsync("/v1/checkout/sessions", ("mode", "subscription"), ("customer", "cus_missing"), ("line_items[0][price]", "price_pro_monthly"));

        Assert.Equal(HttpStatusCode.BadRequest, unknownPrice.Status);
        Assert.Equal("resource_missing", unknownPrice.Error.Str("code"));
        Assert.Equal("line_items[0][price]", unknownPrice.Error.Str("param"));
        Assert.Equal(HttpStatusCode.BadRequest, recurringInPaymentMode.Status);
        Assert.Contains("recurring price", recurringInPaymentMode.Error.Str("message"));
        Assert.Equal("parameter_missing", noMode.Error.Str("code"));
        Assert.Equal("mode", noMode.Error.Str("param"));
        Assert.Equal("customer", unknownCustomer.Error.Str("param"));
    }

    [Theory]
    [InlineData("/v1/checkout/sessions", "success_url", "/billing/done")]
    [InlineData("/v1/checkout/sessions", "cancel_url", "javascript:alert(1)")]
    [InlineData("/v1/billing_portal/sessions", "return_url", "app.example.com/account")]
    public async Task A_redirect_url_that_is_not_an_absolute_http_url_is_refused_with_url_invalid(string path, string param, string url)
    {
        var customer = (await Stripe.PostAsync("/v1/customers", ("email", "urls@example.com"))).EnsureOk().Id;
        var refused = path.Contains("portal", StringComparison.Ordinal)
            ? await Stripe.PostAsync(path, ("customer", customer), (param, url))
            : await Stripe.PostAsync(path, ("mode", "subscription"), ("customer", customer), ("line_items[0][price]", "price_pro_monthly"), (param, url));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(("invalid_request_error", "url_invalid", param), (refused.Error.Str("type"), refused.Error.Str("code"), refused.Error.Str("param")));
        Assert.Equal("Not a valid URL", refused.Error.Str("message"));
    }

    [Fact]
    public async Task An_existing_customer_is_reused_and_no_customer_created_event_is_sent()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe, "known@example.com");
        await emulator.Receiver.WaitForTypesAsync("customer.created");
        emulator.Receiver.Clear();

        var completed = await Flows.SubscribeAsync(Stripe, customer: customer);
        var deliveries = await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");

        Assert.Equal(customer, completed.Str("customer"));
        Assert.Equal(SubscriptionCheckoutOrder.Skip(1), deliveries.Select(d => d.Type));
    }
}
