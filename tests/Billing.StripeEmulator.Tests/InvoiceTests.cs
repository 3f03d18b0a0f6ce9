using System.Net;
using Billing.StripeEmulator.Tests.Infrastructure;

namespace Billing.StripeEmulator.Tests;

public sealed class InvoiceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private StripeApiClient Stripe => emulator.Stripe;

    public Task InitializeAsync() => emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Invoice_items_are_invoiced_finalized_and_paid_with_integer_totals()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe, "usage@example.com");
        var credits = (await Stripe.PostAsync(
            "/v1/invoiceitems",
            ("customer", customer),
            ("pricing[price]", "price_credits_1000"),
            ("quantity", "2"),
            ("metadata[kind]", "credits"))).EnsureOk().Body;
        var overage = (await Stripe.PostAsync(
            "/v1/invoiceitems",
            ("customer", customer),
            ("amount", "555"),
            ("currency", "usd"),
            ("description", "API overage"),
            ("period[start]", "1790000000"),
            ("period[end]", "1790086400"))).EnsureOk().Body;

        Assert.Equal("invoiceitem", credits.Str("object"));
        Assert.Equal(2000, credits.Number("amount"));
        Assert.Equal(2, credits.Number("quantity"));
        Assert.Equal("price_credits_1000", credits["pricing"]!["price_details"]!.Str("price"));
        Assert.Null(credits["invoice"]);
        Assert.Equal(1790000000, overage["period"]!.Number("start"));

        var draft = (await Stripe.PostAsync("/v1/invoices", ("customer", customer), ("pending_invoice_items_behavior", "include"), ("metadata[run]", "r1"))).EnsureOk().Body;
        Assert.Equal("draft", draft.Str("status"));
        Assert.Null(draft["number"]);
        Assert.Equal(2, draft["lines"]!.Data().Count);
        Assert.Equal(2555, draft.Number("subtotal"));
        Assert.Equal(2555, draft.Number("total"));
        Assert.Equal(2555, draft.Number("amount_due"));
        Assert.Equal(0, draft.Number("amount_paid"));
        Assert.Equal(credits.Number("date"), draft.Number("period_start"));
        Assert.Equal(draft.Number("created"), draft.Number("period_end"));
        Assert.Equal(credits.Str("id"), draft["lines"]!.Data()[0]!["parent"]!["invoice_item_details"]!.Str("invoice_item"));
        Assert.Equal(draft.Str("id"), (await Stripe.GetAsync($"/v1/invoiceitems/{overage.Str("id")}")).EnsureOk().Body.Str("invoice"));

        var open = (await Stripe.PostAsync($"/v1/invoices/{draft.Str("id")}/finalize")).EnsureOk().Body;
        Assert.Equal("open", open.Str("status"));
        Assert.Matches("^[0-9A-F]{8}-0001$", open.Str("number"));
        Assert.NotNull(open["status_transitions"]!["finalized_at"]);
        Assert.StartsWith(emulator.BaseUrl + "/invoices/", open.Str("hosted_invoice_url"));

        var paid = (await Stripe.PostAsync($"/v1/invoices/{draft.Str("id")}/pay")).EnsureOk().Body;
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(2555, paid.Number("amount_paid"));
        Assert.Equal(0, paid.Number("amount_remaining"));
        Assert.NotNull(paid["status_transitions"]!["paid_at"]);

        var deliveries = await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");
        Assert.Equal(
            ["customer.created", "invoiceitem.created", "invoiceitem.created", "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded"],
            deliveries.Select(d => d.Type));
    }

    [Fact]
    public async Task Descriptions_longer_than_the_spec_allows_are_refused_and_the_longest_allowed_are_taken()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe, "memo@example.com");

        var tooLong = await Stripe.PostAsync("/v1/invoices", ("customer", customer), ("description", new string('m', 1501)));
        var invoice = (await Stripe.PostAsync("/v1/invoices", ("customer", customer), ("currency", "usd"), ("description", new string('m', 1500)))).EnsureOk().Body;
        var longItem = await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("invoice", invoice.Str("id")), ("amount", "100"), ("currency", "usd"), ("description", new string('i', 5001)));
        var item = (await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("invoice", invoice.Str("id")), ("amount", "100"), ("currency", "usd"), ("description", new string('i', 5000)))).EnsureOk().Body;

        Assert.Equal((HttpStatusCode.BadRequest, "description"), (tooLong.Status, tooLong.Error.Str("param")));
        Assert.Equal("Invalid string: mmmmmmmmmm...; must be at most 1500 characters", tooLong.Error.Str("message"));
        Assert.Equal((HttpStatusCode.BadRequest, "description"), (longItem.Status, longItem.Error.Str("param")));
        Assert.Contains("must be at most 5000 characters", longItem.Error.Str("message"), StringComparison.Ordinal);
        Assert.Equal(1500, invoice.Str("description").Length);
        Assert.Equal(5000, item.Str("description").Length);
    }

    [Fact]
    public async Task Pending_items_are_excluded_by_default()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe);
        await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("amount", "300"), ("currency", "usd"));

        var invoice = (await Stripe.PostAsync("/v1/invoices", ("customer", customer))).EnsureOk().Body;
        var pending = (await Stripe.GetAsync($"/v1/invoiceitems?customer={customer}&pending=true")).EnsureOk().Body.Data();

        Assert.Empty(invoice["lines"]!.Data());
        Assert.Equal(0, invoice.Number("total"));
        Assert.Single(pending);
    }

    [Fact]
    public async Task Invoice_items_can_go_straight_onto_a_draft_invoice()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe);
        var invoice = (await Stripe.PostAsync("/v1/invoices", ("customer", customer), ("currency", "usd"))).EnsureOk().Id;

        (await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("invoice", invoice), ("amount", "1234"), ("currency", "usd"))).EnsureOk();
        var finalized = (await Stripe.PostAsync($"/v1/invoices/{invoice}/finalize")).EnsureOk().Body;
        var late = await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("invoice", invoice), ("amount", "1"), ("currency", "usd"));

        Assert.Equal(1234, finalized.Number("amount_due"));
        Assert.Equal(HttpStatusCode.BadRequest, late.Status);
        Assert.Equal("invoice", late.Error.Str("param"));
    }

    [Fact]
    public async Task A_one_off_invoice_in_another_currency_than_the_customers_subscription_is_taken_and_paid()
    {
        // Stripe's "multi-currency customers": "You can create one-off invoices in a currency that's different from the
        // customer's default currency" (support.stripe.com/questions/setting-a-customers-default-currency; the invoice's
        // `currency` decides which items it takes, docs.stripe.com/invoicing/multi-currency-customers). Only a second
        // subscription in another currency is refused ("You cannot combine currencies on a single customer. This customer
        // has an active subscription, ... with currency ...", github.com/Automattic/woocommerce-payments/issues/7732). So
        // a usage invoice in a plan's overage currency is billed even when the subscription's price is in another one.
        var subscription = await Flows.SubscribeAsync(Stripe, "price_pro_monthly");
        var customer = subscription.Str("customer");
        var invoice = (await Stripe.PostAsync("/v1/invoices", ("customer", customer), ("currency", "eur"), ("pending_invoice_items_behavior", "exclude"))).EnsureOk().Id;

        (await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("invoice", invoice), ("amount", "750"), ("currency", "eur"))).EnsureOk();
        (await Stripe.PostAsync($"/v1/invoices/{invoice}/finalize")).EnsureOk();
        var paid = (await Stripe.PostAsync($"/v1/invoices/{invoice}/pay")).EnsureOk().Body;

        Assert.Equal(("paid", "eur", 750L), (paid.Str("status"), paid.Str("currency"), paid.Number("amount_paid")));
        Assert.Equal("usd", (await Stripe.GetAsync($"/v1/customers/{customer}")).EnsureOk().Body.Str("currency"));
    }

    [Theory]
    [InlineData("ugx", 500, "UGX 5.00")] // two decimals, always 00 (Stripe's special case), not 500 shillings
    [InlineData("kwd", 5120, "KWD 5.120")] // three decimals, not 51.20
    public async Task The_hosted_invoice_page_writes_amounts_with_Stripe_decimals_of_the_currency(string currency, long amount, string written)
    {
        var customer = await Flows.CreateCustomerAsync(Stripe);
        var invoice = (await Stripe.PostAsync("/v1/invoices", ("customer", customer), ("currency", currency))).EnsureOk().Id;
        (await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("invoice", invoice), ("amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("currency", currency))).EnsureOk();
        var finalized = (await Stripe.PostAsync($"/v1/invoices/{invoice}/finalize")).EnsureOk().Body;

        var page = await Stripe.Http.GetStringAsync(new Uri(finalized.Str("hosted_invoice_url")).PathAndQuery);

        Assert.Contains($"<th>Amount due</th><th>{written}</th>", page);
    }

    [Fact]
    public async Task A_zero_invoice_is_paid_when_finalized()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe);
        var invoice = (await Stripe.PostAsync("/v1/invoices", ("customer", customer))).EnsureOk().Id;

        var finalized = (await Stripe.PostAsync($"/v1/invoices/{invoice}/finalize")).EnsureOk().Body;

        Assert.Equal("paid", finalized.Str("status"));
    }

    [Fact]
    public async Task Paying_a_paid_invoice_is_rejected()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe);
        await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("amount", "700"), ("currency", "usd"));
        var invoice = (await Stripe.PostAsync("/v1/invoices", ("customer", customer), ("pending_invoice_items_behavior", "include"))).EnsureOk().Id;
        (await Stripe.PostAsync($"/v1/invoices/{invoice}/pay")).EnsureOk();

        var again = await Stripe.PostAsync($"/v1/invoices/{invoice}/pay");
        var refinalize = await Stripe.PostAsync($"/v1/invoices/{invoice}/finalize");

        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
        Assert.Equal("invalid_request_error", again.Error.Str("type"));
        Assert.Contains("already paid", again.Error.Str("message"));
        Assert.Equal(HttpStatusCode.BadRequest, refinalize.Status);
    }

    [Fact]
    public async Task A_declined_payment_is_a_402_card_error_with_a_payment_failed_event()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe);
        (await Stripe.ControlAsync($"/_emulator/customers/{customer}/payment_method", ("behavior", "failing"))).EnsureOk();
        await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("amount", "990"), ("currency", "usd"));
        var invoice = (await Stripe.PostAsync("/v1/invoices", ("customer", customer), ("pending_invoice_items_behavior", "include"))).EnsureOk().Id;

        var result = await Stripe.PostAsync($"/v1/invoices/{invoice}/pay");
        var deliveries = await emulator.Receiver.WaitForTypesAsync("invoice.payment_failed");

        Assert.Equal(HttpStatusCode.PaymentRequired, result.Status);
        Assert.Equal("card_error", result.Error.Str("type"));
        Assert.Equal("card_declined", result.Error.Str("code"));
        Assert.Equal("generic_decline", result.Error.Str("decline_code"));
        var failed = deliveries.Single(d => d.Type == "invoice.payment_failed").DataObject;
        Assert.Equal("open", failed.Str("status"));
        Assert.Equal(1, failed.Number("attempt_count"));
        Assert.Equal(990, failed.Number("amount_remaining"));
    }

    [Fact]
    public async Task Lists_filter_by_customer_and_status_and_page_with_has_more()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe);
        var other = await Flows.CreateCustomerAsync(Stripe, "other@example.com");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await Stripe.PostAsync("/v1/invoices", ("customer", customer))).EnsureOk().Id);
        }

        await Stripe.PostAsync("/v1/invoices", ("customer", other));
        (await Stripe.PostAsync($"/v1/invoices/{ids[0]}/finalize")).EnsureOk();

        var page1 = (await Stripe.GetAsync($"/v1/invoices?customer={customer}&limit=2")).EnsureOk().Body;
        var page2 = (await Stripe.GetAsync($"/v1/invoices?customer={customer}&limit=2&starting_after={page1.Data()[1]!.Str("id")}")).EnsureOk().Body;
        var drafts = (await Stripe.GetAsync($"/v1/invoices?customer={customer}&status=draft")).EnsureOk().Body;
        var badCursor = await Stripe.GetAsync("/v1/invoices?starting_after=in_missing");

        Assert.Equal("list", page1.Str("object"));
        Assert.Equal("/v1/invoices", page1.Str("url"));
        Assert.Equal([ids[2], ids[1]], page1.Data().Select(i => i!.Str("id")));
        Assert.True(page1.Bool("has_more"));
        Assert.Equal([ids[0]], page2.Data().Select(i => i!.Str("id")));
        Assert.False(page2.Bool("has_more"));
        Assert.Equal([ids[2], ids[1]], drafts.Data().Select(i => i!.Str("id")));
        Assert.Equal("starting_after", badCursor.Error.Str("param"));
    }

    [Fact]
    public async Task Invoice_items_take_the_pricing_shape_only()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe);

        var legacyPrice = await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("price", "price_credits_1000"));
        var recurring = await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("pricing[price]", "price_pro_monthly"));
        var noCurrency = await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("amount", "100"));
        var nothing = await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer));

        Assert.Equal("parameter_unknown", legacyPrice.Error.Str("code"));
        Assert.Equal("price", legacyPrice.Error.Str("param"));
        Assert.Equal("pricing[price]", recurring.Error.Str("param"));
        Assert.Equal("currency", noCurrency.Error.Str("param"));
        Assert.Equal(HttpStatusCode.BadRequest, nothing.Status);
    }

    [Fact]
    public async Task A_draft_with_auto_advance_is_finalized_and_charged_an_hour_later()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe);
        await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("amount", "4200"), ("currency", "usd"));
        var invoice = (await Stripe.PostAsync("/v1/invoices", ("customer", customer), ("pending_invoice_items_behavior", "include"), ("auto_advance", "true"))).EnsureOk().Body;
        Assert.Equal(invoice.Number("created") + 3600, invoice.Number("automatically_finalizes_at"));

        await Flows.AdvanceAsync(Stripe, TimeSpan.FromMinutes(61));

        var after = (await Stripe.GetAsync($"/v1/invoices/{invoice.Str("id")}")).EnsureOk().Body;
        Assert.Equal("paid", after.Str("status"));
        Assert.Equal(4200, after.Number("amount_paid"));
    }

    [Fact]
    public async Task Invoice_parameters_the_emulator_does_not_model_are_refused_and_the_apps_discounts_reset_is_taken()
    {
        var customer = await Flows.CreateCustomerAsync(Stripe, "tax@example.com");
        (string Path, (string, string) Extra, string Param)[] unmodelled =
        [
            ("/v1/invoices", ("automatic_tax[enabled]", "true"), "automatic_tax"),
            ("/v1/invoices", ("default_tax_rates[0]", "txr_1"), "default_tax_rates"),
            ("/v1/invoices", ("discounts[0][coupon]", "co_1"), "discounts"),
            ("/v1/invoices", ("footer", "Thanks"), "footer"),
            ("/v1/invoices", ("payment_settings[payment_method_types][0]", "sepa_debit"), "payment_settings"),
            ("/v1/invoiceitems", ("tax_rates[0]", "txr_1"), "tax_rates"),
            ("/v1/invoiceitems", ("discounts[0][coupon]", "co_1"), "discounts"),
        ];

        foreach (var (path, extra, param) in unmodelled)
        {
            (string, string)[] form = path == "/v1/invoices"
                ? [("customer", customer), ("currency", "usd"), extra]
                : [("customer", customer), ("amount", "500"), ("currency", "usd"), extra];
            ParameterTests.AssertRefused(await Stripe.PostAsync(path, form), param, path + " " + extra.Item1);
        }

        Assert.Empty((await Stripe.GetAsync($"/v1/invoices?customer={customer}")).EnsureOk().Body.Data());
        Assert.Empty((await Stripe.GetAsync($"/v1/invoiceitems?customer={customer}")).EnsureOk().Body.Data());

        // The usage invoice sends `discounts=` (none, not the customer's): what an emulator without coupons always does.
        var draft = (await Stripe.PostAsync("/v1/invoices", ("customer", customer), ("currency", "usd"), ("discounts", ""), ("pending_invoice_items_behavior", "exclude"))).EnsureOk().Id;
        (await Stripe.PostAsync("/v1/invoiceitems", ("customer", customer), ("invoice", draft), ("amount", "700"), ("currency", "usd"))).EnsureOk();
        var open = (await Stripe.PostAsync($"/v1/invoices/{draft}/finalize", ("auto_advance", "false"))).EnsureOk().Body;
        Assert.Equal(("open", 700L), (open.Str("status"), open.Number("amount_due")));

        ParameterTests.AssertRefused(await Stripe.PostAsync($"/v1/invoices/{draft}/pay", ("forgive", "true")), "forgive", "pay");
        ParameterTests.AssertRefused(await Stripe.PostAsync($"/v1/invoices/{draft}", ("footer", "Thanks")), "footer", "update");
        Assert.Equal("open", (await Stripe.GetAsync($"/v1/invoices/{draft}")).EnsureOk().Body.Str("status"));
        var paid = (await Stripe.PostAsync($"/v1/invoices/{draft}/pay")).EnsureOk().Body;
        var paymentIntent = (await Stripe.GetAsync($"/v1/invoice_payments?invoice={draft}")).EnsureOk().Body.Data()[0]!["payment"]!.Str("payment_intent");
        Assert.Equal("paid", paid.Str("status"));
        ParameterTests.AssertRefused(await Stripe.PostAsync("/v1/refunds", ("payment_intent", paymentIntent), ("reverse_transfer", "true")), "reverse_transfer", "refund");
        Assert.Empty((await Stripe.GetAsync($"/v1/refunds?payment_intent={paymentIntent}")).EnsureOk().Body.Data());
    }
}
