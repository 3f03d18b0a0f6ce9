using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.Application.StripeEvents;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Billing.EndToEnd.Tests.Invoicing;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;
using Stripe;

namespace Billing.EndToEnd.Tests.Credits;

/// <summary>
/// Prepaid credit and add-ons end to end: the caller buys through the API, pays on the Stripe emulator's Checkout,
/// and the emulator's signed webhooks (held, released in reverse, sent twice, redelivered) grant it once. Refunds take
/// back only what is unspent, and a refund that fails gives it back; the usage invoice spends credit first; expired credit is never spent; an add-on raises
/// the limit once, and of two add-ons on an overage meter the one that lapses first is used first (a refund of the other
/// keeps what the lapsed one covered, and its refund failing puts it back); and no one sees another account's credit. Amounts are worked out here from the development
/// configuration: CREDITS_10 grants 1,000 cents, CREDITS_50 grants 5,500 (its lifetime shortened to seconds here),
/// EXTRA_PROJECTS_5 adds 5 projects to the free plan's 1; PRO charges 2 cents per agent run beyond 5,000 and 500 for
/// the first token tier beyond 10,000,000. The tests share one app and emulator (<see cref="StackFixture"/>), each with
/// its own accounts, except the invoicing one, whose timer and short-lived pack need their own.
/// </summary>
[Trait(LongClassesFirst.Trait, LongClassesFirst.LongRunning)]
public sealed class CreditsTests(CreditsTests.StackFixture fixture) : IClassFixture<CreditsTests.StackFixture>, IAsyncLifetime
{
    private static readonly TimeSpan ShortLifetime = TimeSpan.FromSeconds(12);

    private static readonly TimeSpan AddOnLifetime = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_pack_is_granted_once_through_duplicated_and_reordered_webhooks_and_a_refund_takes_back_only_the_unspent_part()
    {
        var stack = fixture.Stack;
        var buyer = "cred-" + Guid.NewGuid().ToString("N")[..10];
        var other = "cred-" + Guid.NewGuid().ToString("N")[..10];

        // Paid by a delayed method: completed (unpaid) then async_payment_succeeded (paid), held, released in reverse, each sent twice
        var purchase = await PostAsync(stack, buyer, "/api/billing/credits/checkout", """{"pack":"CREDITS_10"}""");
        Assert.Equal(HttpStatusCode.OK, purchase.Status);
        var sessionId = purchase.Body.GetProperty("sessionId").GetString()!;
        Assert.Equal(1_000, purchase.Body.GetProperty("amount").GetInt64());
        var sold = await stack.Stripe.V1.Checkout.Sessions.GetAsync(sessionId); // what it grants travels with it, whatever the catalog says later
        Assert.Equal(("CREDITS_10", "1000", "usd"), (sold.Metadata["purchase_code"], sold.Metadata["grant_credit"], sold.Metadata["grant_currency"]));
        Assert.Equal(("1000", "usd", 1_000L), (sold.Metadata["purchase_amount"], sold.Metadata["purchase_currency"], sold.AmountTotal)); // the price it was sold at, as Stripe charges it
        await stack.Emulator!.ControlAsync("/_emulator/webhooks/duplicates", new Dictionary<string, string> { ["enabled"] = "true" });
        await stack.Emulator.ControlAsync("/_emulator/webhooks/hold");
        await stack.Emulator.ControlAsync($"/_emulator/checkout/sessions/{sessionId}/complete", new Dictionary<string, string> { ["payment_method"] = "delayed" });
        await stack.Emulator.ControlAsync($"/_emulator/checkout/sessions/{sessionId}/async_payment", new Dictionary<string, string> { ["outcome"] = "succeeded" });

        // A second purchase whose delayed payment fails grants nothing
        var failed = await PostAsync(stack, buyer, "/api/billing/credits/checkout", """{"pack":"CREDITS_50"}""");
        var failedSession = failed.Body.GetProperty("sessionId").GetString()!;
        await stack.Emulator.ControlAsync($"/_emulator/checkout/sessions/{failedSession}/complete", new Dictionary<string, string> { ["payment_method"] = "delayed" });
        await stack.Emulator.ControlAsync($"/_emulator/checkout/sessions/{failedSession}/async_payment", new Dictionary<string, string> { ["outcome"] = "failed" });
        await stack.Emulator.ControlAsync("/_emulator/webhooks/release", new Dictionary<string, string> { ["order"] = "reverse" });

        await WaitForBalanceAsync(stack, buyer, 1_000);
        var granting = new List<string>();
        foreach (var type in new[] { "checkout.session.completed", "checkout.session.async_payment_succeeded" })
        {
            var events = await stack.Stripe.V1.Events.ListAsync(new EventListOptions { Type = type, Limit = 100 });
            foreach (var stripeEvent in events.Data.Where(e => e.Data.RawObject["id"]?.ToString() == sessionId))
            {
                Assert.Equal("1000", stripeEvent.Data.RawObject["metadata"]?["grant_credit"]?.ToString()); // the terms travel with the event that grants them
                granting.Add(stripeEvent.Id);
            }
        }

        Assert.Equal(2, granting.Count);
        await RedeliverAsync(stack, [.. granting]); // processed (or dropped as duplicates)
        var credits = await GetCreditsAsync(stack, buyer);
        Assert.Equal(1_000, Balance(credits, "usd"));
        var grant = Assert.Single(credits.GetProperty("entries").EnumerateArray());
        Assert.Equal("grant", grant.GetProperty("kind").GetString());
        Assert.Equal(1_000, grant.GetProperty("amount").GetInt64());

        // An operator takes 300 (spent elsewhere); a non-admin cannot
        var forbidden = await PostAsync(stack, buyer, $"/api/billing/admin/accounts/{buyer}/credits", """{"amount":-300,"currency":"usd","reason":"self-service"}""");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        var halfAKrona = await PostAsync(stack, "ops-1", $"/api/billing/admin/accounts/{buyer}/credits", """{"amount":-50,"currency":"isk","reason":"half a króna"}""", admin: true);
        Assert.Equal(HttpStatusCode.BadRequest, halfAKrona.Status); // Stripe charges whole krónur only (nothing is written: see the entries below)
        Assert.Equal(["amount"], halfAKrona.Body.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        var adjusted = await PostAsync(stack, "ops-1", $"/api/billing/admin/accounts/{buyer}/credits", """{"amount":-300,"currency":"usd","reason":"goodwill reversal","idempotencyKey":"adj-1"}""", admin: true);
        Assert.Equal(HttpStatusCode.OK, adjusted.Status);
        Assert.Equal(700, adjusted.Body.GetProperty("balance").GetInt64());
        Assert.Equal("ops-1", adjusted.Body.GetProperty("entry").GetProperty("operator").GetString());
        var again = await PostAsync(stack, "ops-1", $"/api/billing/admin/accounts/{buyer}/credits", """{"amount":-300,"currency":"usd","reason":"goodwill reversal","idempotencyKey":"adj-1"}""", admin: true);
        Assert.True(again.Body.GetProperty("replayed").GetBoolean());
        var shown = (await GetCreditsAsync(stack, buyer)).GetProperty("entries").EnumerateArray().First(); // the customer sees why, not who
        Assert.Equal(("adjustment", "goodwill reversal"), (shown.GetProperty("kind").GetString(), shown.GetProperty("reason").GetString()));
        Assert.False(shown.TryGetProperty("operator", out _));

        // The operator's view of the account shows the same balance and the adjustment with its reason and operator
        var adminView = (await GetAsync(stack, "ops-1", $"/api/billing/admin/accounts/{buyer}", admin: true)).GetProperty("credits");
        Assert.True(adminView.GetProperty("available").GetBoolean());
        Assert.Equal(700, adminView.GetProperty("balance").EnumerateArray().Single(b => b.GetProperty("currency").GetString() == "usd").GetProperty("amount").GetInt64());
        var latest = adminView.GetProperty("entries").EnumerateArray().First();
        Assert.Equal(("adjustment", -300, "goodwill reversal", "ops-1"), (latest.GetProperty("kind").GetString(), latest.GetProperty("amount").GetInt64(), latest.GetProperty("reason").GetString(), latest.GetProperty("actor").GetString()));

        // The customer is refunded in full: only the 700 left is taken back, once (the refund event is redelivered too)
        var session = await stack.Stripe.V1.Checkout.Sessions.GetAsync(sessionId);
        var refund = await stack.Stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = session.PaymentIntentId });
        await WaitForBalanceAsync(stack, buyer, 0);
        var refunded = (await stack.Stripe.V1.Events.ListAsync(new EventListOptions { Type = "charge.refunded", Limit = 100 })).Data
            .First(e => e.Data.RawObject["payment_intent"]?.ToString() == session.PaymentIntentId); // this charge's (the stack is shared)
        await RedeliverAsync(stack, refunded.Id);
        credits = await GetCreditsAsync(stack, buyer);
        var entries = credits.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["reversal", "adjustment", "grant"], entries.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(-700, entries[0].GetProperty("amount").GetInt64());
        Assert.Equal(0, Balance(credits, "usd"));

        // The refund fails (the card was closed): the 700 come back, once, and the old charge.refunded, redelivered,
        // takes nothing; refunded again, the credit is taken back again
        await stack.Emulator.ControlAsync($"/_emulator/refunds/{refund.Id}/fail");
        await WaitForBalanceAsync(stack, buyer, 700);
        var refundFailed = (await stack.Stripe.V1.Events.ListAsync(new EventListOptions { Type = "refund.failed", Limit = 100 })).Data
            .First(e => e.Data.RawObject["id"]?.ToString() == refund.Id);
        await RedeliverAsync(stack, refunded.Id, refundFailed.Id);
        credits = await GetCreditsAsync(stack, buyer);
        Assert.Equal(["reinstatement", "reversal", "adjustment", "grant"], credits.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(700, Balance(credits, "usd"));
        Assert.Empty(OpenApiContract.Check("get", "/api/billing/credits", HttpStatusCode.OK, "application/json", credits.GetRawText()));
        await stack.Stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = session.PaymentIntentId });
        await WaitForBalanceAsync(stack, buyer, 0);

        // Another tenant sees none of it
        var theirs = await GetCreditsAsync(stack, other);
        Assert.Empty(theirs.GetProperty("balances").EnumerateArray());
        Assert.Empty(theirs.GetProperty("grants").EnumerateArray());
        Assert.Empty(theirs.GetProperty("entries").EnumerateArray());
    }

    [Fact]
    public async Task A_ledger_cursor_pages_only_the_listing_of_the_account_it_was_handed_to()
    {
        var stack = fixture.Stack;
        var owner = "cred-" + Guid.NewGuid().ToString("N")[..10];
        var other = "cred-" + Guid.NewGuid().ToString("N")[..10];
        foreach (var account in new[] { owner, other })
        {
            using (var register = new HttpRequestMessage(HttpMethod.Put, new Uri("/api/accounts/" + account, UriKind.Relative)))
            {
                register.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
                using var registered = await stack.App.Http.SendAsync(register);
                Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            }

            foreach (var amount in new[] { 100, 200 })
            {
                var granted = await PostAsync(stack, "ops-1", $"/api/billing/admin/accounts/{account}/credits", $$"""{"amount":{{amount}},"currency":"usd","reason":"goodwill {{amount}}"}""", admin: true);
                Assert.Equal(HttpStatusCode.OK, granted.Status);
            }
        }

        var cursor = (await GetAsync(stack, owner, "/api/billing/credits?limit=1")).GetProperty("nextCursor").GetString()!;
        var second = await GetAsync(stack, owner, "/api/billing/credits?limit=1&cursor=" + Uri.EscapeDataString(cursor));
        Assert.Equal(100, second.GetProperty("entries").EnumerateArray().Single().GetProperty("amount").GetInt64());

        // The owner's cursor sent by another account: refused as a malformed one is, not used to page the other's ledger.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/billing/credits?limit=1&cursor=" + Uri.EscapeDataString(cursor), UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.For(other));
        using var response = await stack.App.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(["cursor"], JsonDocument.Parse(body).RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task An_add_on_raises_the_limit_once_and_a_lost_dispute_of_a_pack_takes_its_credit_back()
    {
        var stack = fixture.Stack;
        var buyer = "addon-" + Guid.NewGuid().ToString("N")[..10];
        await stack.Emulator!.ControlAsync("/_emulator/webhooks/duplicates", new Dictionary<string, string> { ["enabled"] = "true" });

        var unknown = await PostAsync(stack, buyer, "/api/billing/addons/checkout", """{"addOn":"EXTRA_PONIES"}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal(["addOn"], unknown.Body.GetProperty("errors").EnumerateObject().Select(e => e.Name)); // the body's own field name

        var addOn = await PostAsync(stack, buyer, "/api/billing/addons/checkout", """{"addOn":"EXTRA_PROJECTS_5"}""");
        Assert.Equal(HttpStatusCode.OK, addOn.Status);
        await stack.Emulator.ControlAsync($"/_emulator/checkout/sessions/{addOn.Body.GetProperty("sessionId").GetString()}/complete");
        await stack.Data.WaitForAccountAsync(buyer, a => a.AddOns.Count == 1, "the add-on granted");
        var completed = (await stack.Stripe.V1.Events.ListAsync(new EventListOptions { Type = "checkout.session.completed", Limit = 100 })).Data
            .Single(e => e.Data.RawObject["id"]?.ToString() == addOn.Body.GetProperty("sessionId").GetString());
        foreach (var kind in new[] { "original", "duplicate" }) // both copies answered, and the event final: nothing more comes of either
        {
            await Eventually.UntilAsync(async () => await stack.DeliveriesAnsweredAsync(completed.Id, kind) > 0, $"the app answered the {kind} delivery of {completed.Id}", TimeSpan.FromSeconds(60));
        }

        await stack.Data.WaitForEventAsync(completed.Id, e => e.Status.IsFinal(), "final after both copies");
        Assert.Single((await stack.Data.AccountAsync(buyer))!.AddOns);

        var entitlements = await GetAsync(stack, buyer, "/api/billing/entitlements");
        var projects = entitlements.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == "projects");
        Assert.Equal(6, projects.GetProperty("limit").GetInt64()); // the free plan's 1 + 5
        var listed = Assert.Single(entitlements.GetProperty("addOns").EnumerateArray()); // and why: the add-on, by the session that paid for it
        Assert.Equal(("EXTRA_PROJECTS_5", "projects", 5L, addOn.Body.GetProperty("sessionId").GetString()), (listed.GetProperty("code").GetString(), listed.GetProperty("meter").GetString(), listed.GetProperty("units").GetInt64(), listed.GetProperty("sessionId").GetString()));
        Assert.Empty(OpenApiContract.Check("get", "/api/billing/entitlements", HttpStatusCode.OK, "application/json", entitlements.GetRawText()));
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await TakeProjectAsync(stack, buyer, $"p{i}"));
        }

        Assert.Equal(HttpStatusCode.PaymentRequired, await TakeProjectAsync(stack, buyer, "p6"));

        // A pack bought, then charged back and lost: its credit is taken back
        var pack = await PostAsync(stack, buyer, "/api/billing/credits/checkout", """{"pack":"CREDITS_10"}""");
        var packSession = pack.Body.GetProperty("sessionId").GetString()!;
        await stack.Emulator.ControlAsync($"/_emulator/checkout/sessions/{packSession}/complete");
        await WaitForBalanceAsync(stack, buyer, 1_000);
        var intent = await stack.Stripe.V1.PaymentIntents.GetAsync((await stack.Stripe.V1.Checkout.Sessions.GetAsync(packSession)).PaymentIntentId);
        var dispute = await stack.Emulator.ControlAsync($"/_emulator/charges/{intent.LatestChargeId}/dispute");
        await stack.Emulator.ControlAsync($"/_emulator/disputes/{dispute.GetProperty("id").GetString()}/close", new Dictionary<string, string> { ["outcome"] = "lost" });
        await WaitForBalanceAsync(stack, buyer, 0);
        var credits = await GetCreditsAsync(stack, buyer);
        Assert.Equal(-1_000, credits.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "reversal").GetProperty("amount").GetInt64());
    }

    [Fact]
    public async Task Of_two_agent_run_add_ons_the_one_that_lapses_first_is_used_first_a_refund_of_the_other_keeps_what_the_lapsed_one_covered_and_its_failure_puts_it_back()
    {
        // A second agent-runs add-on that lapses within seconds (the fixture's EXTRA_AGENT_RUNS_SHORT); the
        // development EXTRA_AGENT_RUNS_100 lasts the period. PRO includes 5,000 runs, 2 cents per run beyond.
        var stack = fixture.Stack;
        var accountId = "addons-" + Guid.NewGuid().ToString("N")[..10];
        var customer = await stack.CreateCustomerAsync(accountId);
        await stack.CheckoutAsync(accountId, customer.Id, "price_pro_monthly");
        await stack.Data.WaitForAccountAsync(accountId, a => a.Subscription?.Status == SubscriptionStatus.Active, "active");
        var sessions = new Dictionary<string, string>();
        foreach (var code in new[] { "EXTRA_AGENT_RUNS_100", "EXTRA_AGENT_RUNS_SHORT" })
        {
            var bought = await PostAsync(stack, accountId, "/api/billing/addons/checkout", $$"""{"addOn":"{{code}}"}""");
            Assert.Equal(HttpStatusCode.OK, bought.Status);
            sessions[code] = bought.Body.GetProperty("sessionId").GetString()!;
            await stack.Emulator!.ControlAsync($"/_emulator/checkout/sessions/{sessions[code]}/complete");
        }

        var granted = await stack.Data.WaitForAccountAsync(accountId, a => a.AddOns.Count == 2, "both add-ons granted");
        var lapsesAt = granted.AddOns.Single(a => a.Code == "EXTRA_AGENT_RUNS_SHORT").ExpiresAt!.Value;

        // 5,100 runs while both apply: the short one's 100 first, then the plan's 5,000; the long one's 100 are left
        await RecordAsync(stack, accountId, "agent_runs", 5_100);
        Assert.True(DateTimeOffset.UtcNow < lapsesAt, "the runs were recorded before the short add-on lapsed; give it a longer lifetime");
        await Eventually.PastAsync(lapsesAt, TimeSpan.FromSeconds(1));
        var afterLapse = await AgentRunsAsync(stack, accountId);
        Assert.Equal((5_100L, 5_200L, 0L), (afterLapse.GetProperty("used").GetInt64(), afterLapse.GetProperty("limit").GetInt64(), afterLapse.GetProperty("overageUnits").GetInt64()));

        // The long one refunded: it had covered none of the runs, so only its 100 go; the short one's 100 stay covered
        var intent = (await stack.Stripe.V1.Checkout.Sessions.GetAsync(sessions["EXTRA_AGENT_RUNS_100"])).PaymentIntentId;
        await stack.Stripe.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent });
        await stack.Data.WaitForAccountAsync(accountId, a => a.AddOns.Any(x => x.Code == "EXTRA_AGENT_RUNS_100" && x.RevokedAt is not null), "the long add-on revoked");
        var refunded = await Eventually.GetAsync(() => AgentRunsAsync(stack, accountId), m => m.GetProperty("limit").GetInt64() != 5_200, "the refund's included units", TimeSpan.FromSeconds(30));
        await RecordAsync(stack, accountId, "agent_runs", 150);
        var live = await AgentRunsAsync(stack, accountId);
        var upcoming = await GetAsync(stack, accountId, "/api/billing/invoices/upcoming");

        // Independent calculation: 5,000 + 100 (the short one, used first) included; 5,250 used; 150 x 2 = 300 cents.
        Assert.Equal(5_100, refunded.GetProperty("limit").GetInt64());
        Assert.Equal((5_250L, 5_100L, 150L, 300L), (live.GetProperty("used").GetInt64(), live.GetProperty("limit").GetInt64(), live.GetProperty("overageUnits").GetInt64(), live.GetProperty("overageCharge").GetProperty("amount").GetInt64()));
        Assert.Equal(300, upcoming.GetProperty("amount").GetInt64());

        // The refund fails (the card was closed): the payment stands, so the long add-on is back in full and covers
        // 100 of the 150 runs beyond: 5,200 included, 50 x 2 = 100 cents
        var refund = (await stack.Stripe.V1.Refunds.ListAsync(new RefundListOptions { PaymentIntent = intent })).Data.Single();
        await stack.Emulator!.ControlAsync($"/_emulator/refunds/{refund.Id}/fail");
        await stack.Data.WaitForAccountAsync(accountId, a => a.AddOns.Single(x => x.Code == "EXTRA_AGENT_RUNS_100").RevokedAt is null, "the long add-on reinstated");
        var reinstated = await Eventually.GetAsync(() => AgentRunsAsync(stack, accountId), m => m.GetProperty("limit").GetInt64() != 5_100, "the failed refund's included units", TimeSpan.FromSeconds(30));
        Assert.Equal((5_250L, 5_200L, 50L, 100L), (reinstated.GetProperty("used").GetInt64(), reinstated.GetProperty("limit").GetInt64(), reinstated.GetProperty("overageUnits").GetInt64(), reinstated.GetProperty("overageCharge").GetProperty("amount").GetInt64()));
        Assert.Equal(100, (await GetAsync(stack, accountId, "/api/billing/invoices/upcoming")).GetProperty("amount").GetInt64());
    }

    [Fact]
    public async Task Invoicing_spends_unexpired_credit_first_and_the_invoice_is_the_overage_less_the_credit()
    {
        await using var stack = await WebhookStack.StartAsync(configure: settings =>
        {
            settings["MONTHLY_INVOICING_SCHEDULE"] = "*/2 * * * * *";
            settings["Billing__Invoicing__LookbackDays"] = "2";
            settings["Billing__Purchases__CreditPacks__1__ExpiresAfter"] = ShortLifetime.ToString("c", CultureInfo.InvariantCulture);
        });
        var accountId = "credinv-" + Guid.NewGuid().ToString("N")[..10];
        var customer = await stack.CreateCustomerAsync(accountId);
        await stack.CheckoutAsync(accountId, customer.Id, "price_pro_monthly");
        await stack.Data.WaitForAccountAsync(accountId, a => a.Subscription?.Status == SubscriptionStatus.Active, "active");

        // 1,000 that lasts and 5,500 that expires within seconds
        foreach (var pack in new[] { "CREDITS_10", "CREDITS_50" })
        {
            var bought = await PostAsync(stack, accountId, "/api/billing/credits/checkout", $$"""{"pack":"{{pack}}"}""");
            Assert.Equal(HttpStatusCode.OK, bought.Status);
            await stack.Emulator!.ControlAsync($"/_emulator/checkout/sessions/{bought.Body.GetProperty("sessionId").GetString()}/complete");
        }

        await WaitForBalanceAsync(stack, accountId, 6_500);
        // The balance leaves the 5,500 out from the moment it expires; its expiry entry is written by the first read that
        // finds it expired (a read can compute the balance just after settling the book just before): wait for both.
        var afterExpiry = await WaitForCreditsAsync(stack, accountId, c => Balance(c, "usd") == 1_000 && c.GetProperty("entries").EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "expiry"), "a balance of 1,000 and the 5,500's expiry entry");
        var expiry = afterExpiry.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "expiry");
        Assert.Equal(-5_500, expiry.GetProperty("amount").GetInt64());
        Assert.Contains(afterExpiry.GetProperty("grants").EnumerateArray(), g => g.GetProperty("expired").GetBoolean() && g.GetProperty("remaining").GetInt64() == 0);

        // The period closes with 1,000 agent runs and 1 token beyond the plan
        await InvoicingTests.WaitUntilQuietAsync(stack, accountId);
        var subscriber = new InvoicingTests.Subscriber(accountId, customer.Id);
        await InvoicingTests.OpenPeriodsAsync(stack, subscriber);
        await RecordAsync(stack, accountId, "agent_runs", 6_000);
        await RecordAsync(stack, accountId, "tokens", 10_000_001);

        // Before the period closes, the upcoming invoice announces what the credit will pay (2,500 of charges, 1,000 of credit)
        var upcoming = await GetAsync(stack, accountId, "/api/billing/invoices/upcoming");
        Assert.Equal((2_500L, 1_000L, 1_500L), (upcoming.GetProperty("amount").GetInt64(), upcoming.GetProperty("creditApplicable").GetInt64(), upcoming.GetProperty("amountDue").GetInt64()));
        Assert.Empty(OpenApiContract.Check("get", "/api/billing/invoices/upcoming", HttpStatusCode.OK, "application/json", upcoming.GetRawText()));
        await InvoicingTests.ClosePeriodsNowAsync(stack, subscriber);

        var invoice = (await Eventually.GetAsync(
            () => UsageInvoicesAsync(stack, customer.Id),
            invoices => invoices.Any(i => i.Status is "open" or "paid"),
            "a finalized usage invoice",
            TimeSpan.FromSeconds(90))).Single();

        // Independent calculation: 1,000 x 2 = 2,000 and 500 for the tokens = 2,500 of charges; 1,000 of credit; 1,500 billed.
        const long charges = (6_000 - 5_000) * 2 + 500;
        const long credit = 1_000;
        Assert.Equal(charges - credit, invoice.Total);
        Assert.Equal(
            [("agent_runs", 2_000L), ("credit:prepaid", -credit), ("tokens", 500L)],
            invoice.Lines.Data.Select(l => (l.Metadata["meter"], l.Amount)).Order());
        var credits = await WaitForBalanceAsync(stack, accountId, 0);
        var spend = credits.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "spend");
        Assert.Equal(-credit, spend.GetProperty("amount").GetInt64());
        Assert.Single(await UsageInvoicesAsync(stack, customer.Id));
        // Listed once the job has saved the run as finalized, just after Stripe finalized the invoice (a CI run read the
        // list in between: empty).
        var listed = (await Eventually.GetAsync(
            () => GetAsync(stack, accountId, "/api/billing/invoices"),
            l => l.GetProperty("invoices").GetArrayLength() > 0,
            "the invoice listed",
            TimeSpan.FromSeconds(30))).GetProperty("invoices").EnumerateArray().Single();
        Assert.Equal((charges - credit, credit), (listed.GetProperty("amount").GetInt64(), listed.GetProperty("creditApplied").GetInt64()));
        // The job records its last step just after Stripe shows the invoice final
        var run = await Eventually.GetAsync(
            () => GetAsync(stack, accountId, "/api/billing/admin/invoices/runs/" + invoice.Id, admin: true),
            r => r.GetProperty("step").GetString() == "recorded",
            "the run recorded",
            TimeSpan.FromSeconds(30));
        Assert.Equal(
            ("recorded", charges, credit, charges - credit),
            (run.GetProperty("step").GetString(), run.GetProperty("total").GetInt64(), run.GetProperty("creditApplied").GetInt64(), run.GetProperty("amountDue").GetInt64()));
        Assert.Empty(OpenApiContract.Check("get", "/api/billing/admin/invoices/runs/{id}", HttpStatusCode.OK, "application/json", run.GetRawText()));

        // An operator voids the invoice in Stripe: nobody owes it now, so the credit it applied comes back.
        await stack.Stripe.V1.Invoices.VoidInvoiceAsync(invoice.Id);
        var restored = await WaitForBalanceAsync(stack, accountId, credit);
        var restore = restored.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "restore");
        Assert.Equal((credit, run.GetProperty("runId").GetString()), (restore.GetProperty("amount").GetInt64(), restore.GetProperty("reference").GetString()));
        Assert.Empty(OpenApiContract.Check("get", "/api/billing/credits", HttpStatusCode.OK, "application/json", restored.GetRawText()));
        var voided = await Eventually.GetAsync(
            () => GetAsync(stack, accountId, "/api/billing/invoices"),
            i => i.GetProperty("invoices")[0].GetProperty("status").GetString() == "void",
            "the invoice listed as void",
            TimeSpan.FromSeconds(30));
        Assert.Equal(credit, voided.GetProperty("invoices")[0].GetProperty("creditApplied").GetInt64());
        Assert.Single((await GetCreditsAsync(stack, accountId)).GetProperty("entries").EnumerateArray(), e => e.GetProperty("kind").GetString() == "restore");
    }

    /// <summary>Every test starts with ordinary delivery, whatever the one before it left switched on (duplicates, hold).</summary>
    public async Task InitializeAsync()
    {
        await fixture.Stack.Emulator!.ControlAsync("/_emulator/webhooks/duplicates", new Dictionary<string, string> { ["enabled"] = "false" });
        await fixture.Stack.Emulator.ControlAsync("/_emulator/webhooks/release");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// Has the emulator deliver each event again and waits until the app has answered each redelivery with 2xx and holds
    /// the event as final (applied or ignored). From then on nothing more comes of it: a copy still queued is acknowledged
    /// without effect (the processor's first check), so the ledger read next shows all the redeliveries did.
    /// </summary>
    private static async Task RedeliverAsync(WebhookStack stack, params string[] eventIds)
    {
        var answeredBefore = new Dictionary<string, int>();
        foreach (var eventId in eventIds)
        {
            answeredBefore[eventId] = await stack.DeliveriesAnsweredAsync(eventId, "redelivery");
        }

        foreach (var eventId in eventIds)
        {
            await stack.Emulator!.ControlAsync($"/_emulator/events/{eventId}/redeliver");
        }

        foreach (var eventId in eventIds)
        {
            await Eventually.UntilAsync(async () => await stack.DeliveriesAnsweredAsync(eventId, "redelivery") > answeredBefore[eventId], $"the app answered the redelivery of {eventId}", TimeSpan.FromSeconds(60));
            await stack.Data.WaitForEventAsync(eventId, e => e.Status.IsFinal(), "final after its redelivery");
        }
    }

    private static Task<JsonElement> WaitForBalanceAsync(WebhookStack stack, string accountId, long balance) =>
        WaitForCreditsAsync(stack, accountId, c => Balance(c, "usd") == balance, $"a credit balance of {balance}");

    private static async Task<JsonElement> WaitForCreditsAsync(WebhookStack stack, string accountId, Func<JsonElement, bool> condition, string what) =>
        await Eventually.GetAsync(() => GetCreditsAsync(stack, accountId), condition, $"{what} for {accountId}", TimeSpan.FromSeconds(60));

    private static long Balance(JsonElement credits, string currency) =>
        credits.GetProperty("balances").EnumerateArray().Where(b => b.GetProperty("currency").GetString() == currency).Select(b => b.GetProperty("amount").GetInt64()).FirstOrDefault();

    private static Task<JsonElement> GetCreditsAsync(WebhookStack stack, string accountId) => GetAsync(stack, accountId, "/api/billing/credits");

    private static async Task<JsonElement> AgentRunsAsync(WebhookStack stack, string accountId) =>
        (await GetAsync(stack, accountId, "/api/billing/usage")).GetProperty("periods")[0].GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == "agent_runs");

    private static async Task<JsonElement> GetAsync(WebhookStack stack, string accountId, string path, bool admin = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.For(accountId, admin));
        using var response = await stack.App.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(WebhookStack stack, string accountId, string path, string json, bool admin = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.For(accountId, admin));
        using var response = await stack.App.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, string.IsNullOrEmpty(body) ? default : JsonDocument.Parse(body).RootElement.Clone());
    }

    private static async Task<HttpStatusCode> TakeProjectAsync(WebhookStack stack, string accountId, string allocationId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/allocations/projects", UriKind.Relative))
        {
            Content = JsonContent.Create(new { accountId, allocationId }),
        };
        request.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
        using var response = await stack.App.Http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task RecordAsync(WebhookStack stack, string accountId, string meter, long quantity)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/usage", UriKind.Relative))
        {
            Content = JsonContent.Create(new { accountId, meter, quantity, idempotencyKey = Guid.NewGuid().ToString() }),
        };
        request.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
        using var response = await stack.App.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<List<Invoice>> UsageInvoicesAsync(WebhookStack stack, string customerId)
    {
        var page = await stack.Stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customerId, Limit = 100 });
        return [.. page.Data.Where(i => i.Metadata.ContainsKey("billing_run"))];
    }

    /// <summary>
    /// One app and Stripe emulator with the development purchases plus EXTRA_AGENT_RUNS_SHORT: 100 agent runs that lapse
    /// <see cref="AddOnLifetime"/> after purchase (sold on the emulator's free one-time price), which the other tests never buy.
    /// </summary>
    public sealed class StackFixture : SharedStackFixture
    {
        private protected override Task<WebhookStack> StartAsync() => WebhookStack.StartAsync(configure: settings =>
        {
            settings["Billing__Purchases__AddOns__2__Code"] = "EXTRA_AGENT_RUNS_SHORT";
            settings["Billing__Purchases__AddOns__2__DisplayName"] = "100 more agent runs for seconds";
            settings["Billing__Purchases__AddOns__2__PriceId"] = "price_credits_1000";
            settings["Billing__Purchases__AddOns__2__Amount"] = "1000";
            settings["Billing__Purchases__AddOns__2__Currency"] = "usd";
            settings["Billing__Purchases__AddOns__2__Meter"] = "agent_runs";
            settings["Billing__Purchases__AddOns__2__Units"] = "100";
            settings["Billing__Purchases__AddOns__2__ExpiresAfter"] = AddOnLifetime.ToString("c", CultureInfo.InvariantCulture);
        });
    }
}
