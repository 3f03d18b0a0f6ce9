using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using Billing.Application.StripeEvents;
using Billing.Domain.Subscriptions;
using Billing.EndToEnd.Tests.Invoicing;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Billing.EndToEnd.Tests.Browser;

/// <summary>
/// The operator page (src/Billing.Web/operator) in Chromium against the local stack, signed in with a development
/// operator token: it finds an account that subscribed through Checkout, replays a real poison message of a Stripe
/// outage, adjusts credit, lists invoices by period, refuses a customer's token in words, and passes axe at desktop
/// and phone width. The poison test restarts the shared app twice (a Stripe outage, then Stripe back); it restores
/// the app in a finally block, and the fixture keeps the pages, CORS and webhooks working across the restarts.
/// </summary>
[Trait(LongClassesFirst.Trait, LongClassesFirst.LongRunning)]
public sealed class OperatorPageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private WebhookStack Stack => browser.Stack;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => browser.CloseContextsAsync(); // the test's pages stop with it

    [Fact]
    public async Task An_operator_finds_a_subscribed_account_by_filter_and_search_and_sees_its_plan_status_usage_and_events()
    {
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        await RecordUsageAsync(subscriber.AccountId, "agent_runs", 42);

        var page = await browser.OpenAsync("/operator/");
        await SignInAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Accounts", Exact = true })).ToBeVisibleAsync();
        await page.GetByLabel("Plan").SelectOptionAsync("PRO");
        await page.GetByLabel("Status").SelectOptionAsync("active");
        await page.GetByLabel("Account or customer id contains").FillAsync(subscriber.AccountId[4..].ToUpperInvariant());
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        var accounts = page.GetByRole(AriaRole.Table, new() { Name = "Accounts, page 1" });
        var row = accounts.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = subscriber.AccountId }) });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(accounts.GetByRole(AriaRole.Row)).ToHaveCountAsync(2); // the header and the one account
        await Expect(row).ToContainTextAsync("PRO");
        await Expect(row).ToContainTextAsync("active");
        await Expect(row).ToContainTextAsync("agent runs: 42");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("1 account on page 1");
        await BrowserFixture.ScreenshotAsync(page, "operator-accounts");
        await ExpectNoSeriousAccessibilityViolationsAsync(page);

        await row.GetByRole(AriaRole.Link, new() { Name = subscriber.AccountId }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Account {subscriber.AccountId}" })).ToBeFocusedAsync();
        var summary = page.Locator("dl.facts");
        await Expect(summary).ToContainTextAsync("PlanPRO");
        await Expect(summary).ToContainTextAsync(subscriber.CustomerId);
        var subscription = page.GetByRole(AriaRole.Table, new() { Name = "Stored and live subscription" });
        await Expect(subscription.GetByRole(AriaRole.Row, new() { Name = "Stored" })).ToContainTextAsync("active");
        await Expect(subscription.GetByRole(AriaRole.Row, new() { Name = "Stripe now" })).ToContainTextAsync("price_pro_monthly");
        var usage = page.GetByRole(AriaRole.Table, new() { Name = "Usage this period" });
        await Expect(usage.GetByRole(AriaRole.Row, new() { Name = "agent runs" })).ToContainTextAsync("42");
        var events = page.GetByRole(AriaRole.Table, new() { Name = "Latest Stripe events for this account" });
        await Expect(events.GetByRole(AriaRole.Row).Filter(new() { HasText = "customer.subscription.created" })).ToContainTextAsync("applied");
        await BrowserFixture.ScreenshotAsync(page, "operator-account");
        await ExpectNoSeriousAccessibilityViolationsAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to accounts" }).ClickAsync();
        await Expect(page.GetByLabel("Account or customer id contains")).ToHaveValueAsync(subscriber.AccountId[4..].ToUpperInvariant());
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task The_accounts_list_pages_forward_with_the_cursor_and_back_to_the_first_page_with_the_same_filter()
    {
        var tag = "oppg" + Guid.NewGuid().ToString("N")[..8];
        var ids = await Task.WhenAll(Enumerable.Range(0, 21).Select(i => RegisterAccountAsync($"{tag}-{i.ToString("00", CultureInfo.InvariantCulture)}")));
        var page = await browser.OpenAsync("/operator/");
        await SignInAsync(page);
        await page.GetByLabel("Account or customer id contains").FillAsync(tag);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        var links = page.GetByRole(AriaRole.Table, new() { Name = "Accounts, page 1" }).GetByRole(AriaRole.Link);
        await Expect(links.Filter(new() { HasNotText = tag })).ToHaveCountAsync(0); // the filtered list has replaced the first one
        await Expect(links).ToHaveCountAsync(20);
        var firstPage = await links.AllInnerTextsAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "First page" })).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).DblClickAsync(); // one move: a second click waits for the page it moves from

        var secondLinks = page.GetByRole(AriaRole.Table, new() { Name = "Accounts, page 2" }).GetByRole(AriaRole.Link);
        await Expect(secondLinks).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Next page" })).ToBeDisabledAsync();
        var secondPage = await secondLinks.AllInnerTextsAsync();
        Assert.Equal(ids.Order(StringComparer.Ordinal), firstPage.Concat(secondPage)); // in account id order, each once
        await BrowserFixture.ScreenshotAsync(page, "operator-accounts-page-2");

        await page.GetByRole(AriaRole.Button, new() { Name = "Previous page" }).ClickAsync();
        await Expect(links).ToHaveCountAsync(20);
        Assert.Equal(firstPage, await links.AllInnerTextsAsync());
        Assert.Contains(browser.ApiCalls, c => c.PathAndQuery.Contains("cursor=", StringComparison.Ordinal) && c.PathAndQuery.Contains(tag, StringComparison.Ordinal));
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_next_page_that_fails_to_load_keeps_the_page_shown_and_can_be_asked_for_again()
    {
        var (page, tag) = await TwoPagesOfAccountsAsync("opfail");
        var firstPage = page.GetByRole(AriaRole.Table, new() { Name = "Accounts, page 1" }).GetByRole(AriaRole.Link);

        // The network drops the request for the next page once: the page the operator reads stays, and so does the pager.
        await page.RouteAsync(
            url => url.Contains("/api/billing/admin/accounts?", StringComparison.Ordinal) && url.Contains("cursor=", StringComparison.Ordinal),
            route => route.AbortAsync(),
            new PageRouteOptions { Times = 1 });
        var next = page.GetByRole(AriaRole.Button, new() { Name = "Next page" });
        await next.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The billing service could not be reached. Check your connection and try again.");
        await Expect(firstPage).ToHaveCountAsync(20);
        await Expect(next).ToBeEnabledAsync();

        await next.ClickAsync();
        var secondPage = page.GetByRole(AriaRole.Table, new() { Name = "Accounts, page 2" }).GetByRole(AriaRole.Link);
        await Expect(secondPage).ToHaveCountAsync(1);
        await Expect(secondPage).ToContainTextAsync(tag);
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 account on page 2.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Previous page" })).ToBeEnabledAsync();
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task While_a_new_filter_loads_the_pager_of_the_list_it_replaces_waits()
    {
        // "Next page" of the list shown stayed enabled while a new filter loaded: pressed then, it counted from the new
        // filter's first page (its cursors already reset) and drew that first page as "Accounts, page 2".
        var (page, tag) = await TwoPagesOfAccountsAsync("opnext");
        var narrower = tag + "-1"; // tag-10 to tag-19: one page
        var held = await HeldAnswer.HoldAsync(
            page, url => url.Contains("/api/billing/admin/accounts?", StringComparison.Ordinal) && url.Contains("q=" + narrower, StringComparison.Ordinal), every: true);
        var next = page.GetByRole(AriaRole.Button, new() { Name = "Next page" });
        try
        {
            await page.GetByLabel("Account or customer id contains").FillAsync(narrower);
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(next).ToBeDisabledAsync();
        }
        finally
        {
            held.Release();
        }

        var links = page.GetByRole(AriaRole.Table, new() { Name = "Accounts, page 1" }).GetByRole(AriaRole.Link);
        await Expect(links).ToHaveCountAsync(10);
        await Expect(links.Filter(new() { HasNotText = narrower })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("10 accounts on page 1.");
        await Expect(next).ToBeDisabledAsync(); // the last page
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Paging_with_the_keyboard_puts_the_focus_on_the_page_it_opened()
    {
        var (page, _) = await TwoPagesOfAccountsAsync("opkeys");

        // Enter on "Next page": the pager is drawn anew with the page, so the focus must be put somewhere, not lost to
        // the page's body (where the next Tab starts again from the top of the page).
        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var second = page.GetByRole(AriaRole.Region, new() { Name = "Accounts, page 2" });
        await Expect(second).ToBeVisibleAsync();
        await Expect(second).ToBeFocusedAsync();

        // Back with "Previous page", reached with Tab from the table.
        var previous = page.GetByRole(AriaRole.Button, new() { Name = "Previous page" });
        await BrowserFixture.TabUntilFocusedAsync(page, previous);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Accounts, page 1" })).ToBeFocusedAsync();
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Re_sync_pressed_from_the_keyboard_keeps_the_focus_on_the_re_sync_button()
    {
        // An account without a Stripe customer: nothing to re-sync, the button only waited for the answer.
        var page = await OpenAccountAsync(await RegisterAccountAsync("opresync"));
        var resync = page.GetByRole(AriaRole.Button, new() { Name = "Re-sync from Stripe" });
        await resync.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Nothing to re-sync: this account has no Stripe customer yet.");
        await Expect(resync).ToBeEnabledAsync();
        await Expect(resync).ToBeFocusedAsync();

        // A subscriber: the account is drawn again with what Stripe has, its re-sync button included.
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_basic_monthly");
        var account = await OpenAccountAsync(subscriber.AccountId);
        var again = account.GetByRole(AriaRole.Button, new() { Name = "Re-sync from Stripe" });
        await again.FocusAsync();
        await account.Keyboard.PressAsync("Enter");
        await Expect(account.GetByRole(AriaRole.Status)).ToContainTextAsync("Re-synced from Stripe");
        await Expect(again).ToBeFocusedAsync();
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_re_sync_keeps_its_steps_shown_after_the_account_is_drawn_again()
    {
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_basic_monthly");
        var page = await OpenAccountAsync(subscriber.AccountId);
        var resync = page.GetByRole(AriaRole.Button, new() { Name = "Re-sync from Stripe" });
        await resync.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Re-synced from Stripe");
        await Expect(resync).ToBeFocusedAsync(); // the account has been drawn again
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Re-sync" })).ToContainTextAsync("Steps: sub_");

        // A subscription that renews is entitled past its period's end: the message said "Entitled to BASIC until <the
        // period's end>", which reads as the day access stops.
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Entitled to BASIC, current period to ");
        await Expect(page.GetByRole(AriaRole.Status)).Not.ToContainTextAsync("until");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task An_invoice_whose_plan_changed_in_its_period_names_the_plans_in_order()
    {
        // The account's answer with an invoice of a period that began on PRO and ended on ENTERPRISE: `plan` is the
        // last one, `plans` names both (docs/api.md, GET /api/billing/invoices).
        var accountId = await RegisterAccountAsync("opplans");
        var page = await browser.OpenAsync($"/operator/#account/{accountId}");
        await page.RouteAsync(url => url.EndsWith($"/api/billing/admin/accounts/{accountId}", StringComparison.Ordinal), async route =>
        {
            var response = await route.FetchAsync();
            var answer = JsonNode.Parse(await response.TextAsync())!.AsObject();
            answer["invoices"] = new JsonArray(new JsonObject
            {
                ["id"] = "in_test_plans", ["number"] = "0F3A2C-0001", ["status"] = "open", ["amount"] = 500, ["creditApplied"] = 0, ["stripeAmountDue"] = 500, ["stripeAmountPaid"] = 0, ["currency"] = "usd",
                ["period"] = new JsonObject { ["start"] = "2026-11-10T10:00:00Z", ["end"] = "2026-12-10T10:00:00Z" },
                ["plan"] = "ENTERPRISE", ["plans"] = "PRO then ENTERPRISE", ["hostedInvoiceUrl"] = null,
                ["lines"] = new JsonArray(new JsonObject
                {
                    ["meter"] = "agent_runs", ["description"] = "agent_runs: 250 beyond the included amounts", ["used"] = 5250, ["included"] = 0, ["overageUnits"] = 250, ["amount"] = 500,
                }),
            });
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = answer.ToJsonString() });
        });
        await SignInAsync(page);
        var row = page.GetByRole(AriaRole.Table, new() { Name = "Invoices of this account" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "0F3A2C-0001" });
        await Expect(row).ToContainTextAsync("$5.00");
        await Expect(row).ToContainTextAsync("PRO then ENTERPRISE");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task The_moments_of_an_account_are_shown_in_the_operators_time_zone_as_its_customer_sees_them_not_as_a_utc_date()
    {
        // A renewal at 02:00 UTC on 10 December is 9 December, 6 pm, in California: the customer's page says so, the
        // operator's said "renews Dec 10" (a UTC date, unlabelled, beside "Created" and "As of" in the operator's zone).
        var accountId = await RegisterAccountAsync("opzone");
        var page = await browser.OpenAsync($"/operator/#account/{accountId}", timeZone: "America/Los_Angeles");
        await page.RouteAsync(url => url.EndsWith($"/api/billing/admin/accounts/{accountId}", StringComparison.Ordinal), async route =>
        {
            var response = await route.FetchAsync();
            var answer = JsonNode.Parse(await response.TextAsync())!.AsObject();
            answer["subscription"] = new JsonObject
            {
                ["subscriptionId"] = "sub_test_zone", ["status"] = "active", ["planCode"] = "PRO", ["priceId"] = "price_pro_monthly",
                ["currentPeriodStart"] = "2026-11-10T02:00:00Z", ["currentPeriodEnd"] = "2026-12-10T02:00:00Z", ["cancelAtPeriodEnd"] = false,
                ["cancelAt"] = null, ["endedAt"] = null, ["pastDueSince"] = null, ["stripeStateAsOf"] = "2026-11-10T02:00:05Z",
            };
            answer["account"]!["localTrial"] = new JsonObject { ["plan"] = "TRIAL", ["startedAt"] = "2026-11-21T03:00:00Z", ["endsAt"] = "2026-12-05T03:00:00Z" };
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = answer.ToJsonString() });
        });
        await SignInAsync(page);
        var stored = page.GetByRole(AriaRole.Table, new() { Name = "Stored and live subscription" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "sub_test_zone" });
        await Expect(stored).ToContainTextAsync("renews Dec 9, 2026, 06:00 PM PST");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("TRIAL until Dec 4, 2026, 07:00 PM PST");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task The_credit_adjustment_of_an_account_without_credit_or_overage_starts_in_the_currency_the_shop_sells_in_not_usd()
    {
        // A shop selling in euros: for an account with no credit and no overage yet the form's currency was "usd", so
        // an operator granting "10" gave dollars the account's euro invoices can never spend.
        var accountId = await RegisterAccountAsync("opeuro");
        var page = await browser.OpenAsync($"/operator/#account/{accountId}");
        await page.RouteAsync("**/api/billing/plans", async route =>
        {
            var response = await route.FetchAsync();
            var answer = JsonNode.Parse(await response.TextAsync())!.AsObject();
            foreach (var plan in answer["plans"]!.AsArray())
            {
                plan!["currency"] = (string?)plan["kind"] == "free" ? null : "eur";
                foreach (var price in plan["prices"]!.AsArray())
                {
                    price!["currency"] = "eur";
                }
            }

            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = answer.ToJsonString() });
        });
        await SignInAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Account {accountId}" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Currency")).ToHaveValueAsync("eur");
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("Balance: €0.00");

        // The accounts list likewise.
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to accounts" }).ClickAsync();
        await page.GetByLabel("Account or customer id contains").FillAsync(accountId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Table, new() { Name = "Accounts, page 1" }).GetByRole(AriaRole.Row).Filter(new() { HasText = accountId });
        await Expect(row).ToContainTextAsync("€0.00");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task An_operator_replays_the_poison_messages_of_a_stripe_outage_and_the_account_ends_on_its_new_plan()
    {
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_basic_monthly");
        var subscriptionId = (await Stack.Data.AccountAsync(subscriber.AccountId))!.Subscription!.SubscriptionId;
        var stripe = Stack.Settings["Stripe__ApiBase"];
        using var stripeDown = FreePort.Refusing();
        string eventId;
        try
        {
            // A Stripe outage for the app: the customer's plan change reaches it by webhook, but the processor cannot
            // read the subscription back, and after its attempts the message lands in the poison queue.
            await browser.RestartAppAsync(s => s["Stripe__ApiBase"] = stripeDown.Url.ToString().TrimEnd('/'));
            await Stack.Emulator!.ControlAsync($"/_emulator/portal/{subscriber.CustomerId}/change_price", new Dictionary<string, string> { ["price"] = "price_pro_monthly" });
            eventId = await LatestEventIdAsync("customer.subscription.updated", subscriptionId);
            var poison = TestQueues.Client(Stack.Emulators.StorageConnectionString, Stack.QueueName + "-poison");
            await Eventually.UntilAsync(async () => (await poison.PeekTextsAsync()).Any(m => m.Contains(eventId, StringComparison.Ordinal)), "the poison message", TimeSpan.FromSeconds(60));
            await Stack.Data.WaitForEventAsync(eventId, e => e.Status == StripeEventStatus.Failed && e.Attempts == WebhookStack.MaxDequeueCount, "failed every attempt");

            // The customer meanwhile: "Manage billing" gets the app's real 503 stripe_unavailable, shown in words, with
            // the wait the API's Retry-After gives (exposed to the page's origin).
            var customer = await browser.OpenAsync("/billing/");
            await customer.GetByLabel("Account id").FillAsync(subscriber.AccountId);
            await customer.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await customer.GetByRole(AriaRole.Button, new() { Name = "Manage billing" }).ClickAsync();
            await Expect(customer.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Payments are unavailable right now: we could not reach Stripe. Nothing was charged. Try again in 2 seconds.");
            Assert.Contains(browser.ApiCalls, c => c.PathAndQuery == "/api/billing/portal" && c.Status == 503);
            await BrowserFixture.ScreenshotAsync(customer, "billing-stripe-down");

            // Meanwhile the account's picture still opens, says Stripe is unreachable and shows what is stored.
            var during = await browser.OpenAsync($"/operator/#account/{subscriber.AccountId}");
            await SignInAsync(during);
            await Expect(during.GetByText("Stripe could not be reached, so only the stored subscription is shown")).ToBeVisibleAsync();
            var stored = during.GetByRole(AriaRole.Table, new() { Name = "Stored and live subscription" }).GetByRole(AriaRole.Row, new() { Name = "Stored" });
            await Expect(stored).ToContainTextAsync("BASIC");
            await BrowserFixture.ScreenshotAsync(during, "operator-account-stripe-down");
        }
        finally
        {
            await browser.RestartAppAsync(s => s["Stripe__ApiBase"] = stripe); // Stripe is back
        }

        var before = (await Stack.Data.AccountAsync(subscriber.AccountId))!;
        Assert.Equal("BASIC", before.Subscription!.PlanCode?.ToString());
        var page = await browser.OpenAsync("/operator/#poison");
        await SignInAsync(page);
        var table = page.GetByRole(AriaRole.Table, new() { Name = "Poison messages: Stripe events" });
        var row = table.GetByRole(AriaRole.Row).Filter(new() { HasText = eventId });
        await Expect(row).ToContainTextAsync("customer.subscription.updated");
        await Expect(row).ToContainTextAsync("failed");
        await Expect(row).ToContainTextAsync($"Attempt {WebhookStack.MaxDequeueCount}:");
        await BrowserFixture.ScreenshotAsync(page, "operator-poison");

        // The event failed before it was mapped to an account (the processor could not read the subscription), so
        // the listing shows its Stripe customer, from the stored event, in place of the account. Chosen and replayed by keyboard.
        await Expect(row).ToContainTextAsync($"customer {before.StripeCustomerId}");
        var box = row.GetByRole(AriaRole.Checkbox, new() { Name = $"Select {eventId}" });
        await box.FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Expect(box).ToBeCheckedAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay selected" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Replayed 1: {eventId}.");
        await Expect(row).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "operator-poison-replayed");

        // The usage invoicing jobs' poison queue is listed the same way.
        await page.GetByLabel("Queue", new() { Exact = true }).SelectOptionAsync("invoice-jobs");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show messages" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("in Usage invoicing jobs.");
        Assert.Contains(browser.ApiCalls, c => c.PathAndQuery.Contains("queue=invoice-jobs", StringComparison.Ordinal) && c.Status == 200);

        var account = await Stack.Data.WaitForAccountAsync(subscriber.AccountId, a => a.Subscription?.PlanCode?.ToString() == "PRO", "on PRO after the replay");
        Assert.Equal(SubscriptionStatus.Active, account.Subscription!.Status);
        await Stack.Data.WaitForEventAsync(eventId, e => e.Status == StripeEventStatus.Applied, "applied after the replay"); // marked just after the account is written
        await page.GotoAsync($"/operator/#account/{subscriber.AccountId}");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("PlanPRO");
        var events = page.GetByRole(AriaRole.Table, new() { Name = "Latest Stripe events for this account" });
        await Expect(events.GetByRole(AriaRole.Row).Filter(new() { HasText = eventId })).ToContainTextAsync("applied");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_poison_queue_chosen_while_the_first_listing_loads_is_not_drawn_over_by_that_older_listing()
    {
        // The view's first listing (Stripe events) answered after the operator had chosen the invoicing jobs' queue and
        // its listing was shown: the older listing was drawn over it, under a form that names the other queue.
        var page = await browser.OpenAsync("/operator/#poison");
        var held = await HeldAnswer.HoldAsync(
            page, url => url.Contains("/api/billing/admin/poison?", StringComparison.Ordinal) && url.Contains("queue=stripe-events", StringComparison.Ordinal), readNow: true);
        try
        {
            await SignInAsync(page);
            await held.AskedAsync();
            await page.GetByLabel("Queue", new() { Exact = true }).SelectOptionAsync("invoice-jobs");
            await page.GetByRole(AriaRole.Button, new() { Name = "Show messages" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("in Usage invoicing jobs.");
        }
        finally
        {
            held.Release();
        }

        await held.DeliveredAsync(page); // the older listing has been handled
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("in Usage invoicing jobs.");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Poison messages: Stripe events" })).ToHaveCountAsync(0);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Back_to_accounts_while_the_plans_load_does_not_leave_the_accounts_picture_on_screen()
    {
        // The accounts view read the catalog for its plan filter before drawing anything: until it answered, the
        // account's picture (its credit form and re-sync button) stayed on screen under the "Accounts" link.
        var accountId = await RegisterAccountAsync("opback");
        var page = await OpenAccountAsync(accountId);
        var held = await HeldAnswer.HoldAsync(page, "**/api/billing/plans", every: true);
        try
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Back to accounts" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Accounts", Exact = true })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Account {accountId}" })).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" })).ToHaveCountAsync(0);
        }
        finally
        {
            held.Release();
        }

        await Expect(page.GetByLabel("Account or customer id contains")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("on page 1");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_credit_adjustment_answered_after_the_operator_opened_another_account_names_its_account()
    {
        // The adjustment of account A answered while account B was shown: "Posted: ... Balance now $5.00." was
        // announced on B's view, read as B's balance.
        var first = await RegisterAccountAsync("opadja");
        var second = await RegisterAccountAsync("opadjb");
        var page = await OpenAccountAsync(first);
        var held = await HeldAnswer.HoldAsync(page, url => url.EndsWith($"/api/billing/admin/accounts/{first}/credits", StringComparison.Ordinal));
        try
        {
            await page.GetByLabel("Amount").FillAsync("5");
            await page.GetByLabel("Reason").FillAsync("goodwill");
            await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
            await held.AskedAsync();
            await page.EvaluateAsync($"() => {{ location.hash = '#account/{second}'; }}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Account {second}" })).ToBeVisibleAsync();
        }
        finally
        {
            held.Release();
        }

        await held.DeliveredAsync(page);
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Account {first}: Posted: entry 1, adjustment +$5.00 (goodwill). Balance now $5.00.");
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("Balance: $0.00"); // B's, as it was
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task An_adjustment_answered_after_a_re_sync_redrew_the_account_empties_the_form_and_shows_the_new_balance()
    {
        // The re-sync draws the account anew and keeps what was typed; the adjustment sent before it, answered after,
        // reset and refreshed the form, balance and ledger it was sent from (no longer on screen). The form on screen
        // still held the adjustment beside the balance from before it, its key already spent: a second press posted it
        // again under a new key.
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_basic_monthly");
        var page = await OpenAccountAsync(subscriber.AccountId);
        var asked = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await page.RouteAsync(url => url.EndsWith("/credits", StringComparison.Ordinal), async route =>
        {
            if (route.Request.Method == "POST")
            {
                asked.TrySetResult();
                await release.Task; // not posted yet: the re-sync answers first
            }

            await route.ContinueAsync();
        });
        try
        {
            await AdjustThenResyncAsync(page, asked.Task);
        }
        finally
        {
            release.TrySetResult();
        }

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Posted: entry 1, adjustment +$4.00 (goodwill for the outage). Balance now $4.00.");
        await Expect(page.GetByLabel("Amount")).ToHaveValueAsync("");
        await Expect(page.GetByLabel("Reason")).ToHaveValueAsync("");
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("Balance: $4.00");
        await Expect(page.Locator("#adjustment-result")).ToHaveTextAsync("Posted: entry 1, adjustment +$4.00 (goodwill for the outage). Balance now $4.00.");
        var ledger = page.GetByRole(AriaRole.Table, new() { Name = "Credit ledger, latest 20 entries" });
        await Expect(ledger.GetByRole(AriaRole.Row).Filter(new() { HasText = "goodwill for the outage" })).ToHaveCountAsync(1);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_re_sync_while_an_adjustment_is_on_its_way_keeps_the_adjustment_typed_and_its_retry_posts_once()
    {
        // The re-sync draws the account anew, its adjustment form too: what the operator had typed was gone, and so was
        // the form's idempotency key. The adjustment sent meanwhile lost its answer (posted at the server), and the
        // operator, typing it again, posted it a second time under a new key.
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_basic_monthly");
        var page = await OpenAccountAsync(subscriber.AccountId);
        var asked = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var posts = 0;
        await page.RouteAsync(url => url.EndsWith("/credits", StringComparison.Ordinal), async route =>
        {
            if (route.Request.Method == "POST" && Interlocked.Increment(ref posts) == 1)
            {
                var answered = await route.FetchAsync(); // posted at the server; its answer is lost on the way back
                Assert.Equal(200, answered.Status);
                asked.TrySetResult();
                await release.Task;
                await route.AbortAsync();
            }
            else
            {
                await route.ContinueAsync();
            }
        });
        try
        {
            await AdjustThenResyncAsync(page, asked.Task);
        }
        finally
        {
            release.TrySetResult();
        }

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The billing service could not be reached. Check your connection and try again.");
        await Expect(page.GetByLabel("Amount")).ToHaveValueAsync("4");
        await Expect(page.GetByLabel("Reason")).ToHaveValueAsync("goodwill for the outage");
        await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Already posted: entry 1, adjustment +$4.00 (goodwill for the outage). Balance now $4.00.");
        var ledger = page.GetByRole(AriaRole.Table, new() { Name = "Credit ledger, latest 20 entries" });
        await Expect(ledger.GetByRole(AriaRole.Row).Filter(new() { HasText = "goodwill for the outage" })).ToHaveCountAsync(1);
        Assert.Equal(2, posts);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Show_messages_pressed_as_the_first_listing_answers_is_applied_the_form_does_not_move_under_the_pointer()
    {
        // As on the accounts view: the poison view's first listing announced its count above the queue form, which
        // moved down between the press and the release of "Show messages"; the press was lost, and the Stripe events'
        // listing stayed under a form that names the invoicing jobs' queue.
        var page = await browser.OpenAsync("/operator/#poison", phone: true);
        var held = await HeldAnswer.HoldAsync(
            page, url => url.Contains("/api/billing/admin/poison?", StringComparison.Ordinal) && url.Contains("queue=stripe-events", StringComparison.Ordinal));
        try
        {
            await SignInAsync(page);
            await held.AskedAsync();
            await page.GetByLabel("Queue", new() { Exact = true }).SelectOptionAsync("invoice-jobs");
            await held.ReleaseWithoutMovingAsync(
                page,
                page.GetByRole(AriaRole.Button, new() { Name = "Show messages" }),
                () => Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("in Stripe events."),
                pressed: true);
        }
        finally
        {
            held.Release();
        }

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("in Usage invoicing jobs.");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task An_operator_grants_credit_from_a_decimal_amount_and_a_deduction_beyond_the_balance_is_refused_in_words()
    {
        var accountId = await RegisterAccountAsync("opcr");
        var page = await OpenAccountAsync(accountId);
        await Expect(page.GetByText("No credit entries.")).ToBeVisibleAsync();

        // More decimals than the currency has are refused by the page, not rounded (and nothing is sent).
        var calls = browser.ApiCalls.Count;
        await page.GetByLabel("Amount").FillAsync("12.345");
        await page.GetByLabel("Reason").FillAsync("goodwill for ticket 881");
        await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Amount: Use at most 2 decimals for USD.");
        Assert.Equal(calls, browser.ApiCalls.Count);

        // The hint under the form says the decimals of the currency typed, not of the one the form started with.
        await Expect(page.Locator("#adjust-hint")).ToContainTextAsync("(up to 2 decimals for USD)");
        await page.GetByLabel("Currency").FillAsync("jpy");
        await Expect(page.Locator("#adjust-hint")).ToContainTextAsync("(no decimals for JPY)");
        await page.GetByLabel("Currency").FillAsync("kwd");
        await Expect(page.Locator("#adjust-hint")).ToContainTextAsync("(up to 3 decimals for KWD)");
        await page.GetByLabel("Currency").FillAsync("usd");

        // The first answer is lost on the way back (the server posted): the operator submits the same form again, the
        // page sends the same idempotency key, and the adjustment is posted once.
        var posts = 0;
        await page.RouteAsync(url => url.EndsWith("/credits", StringComparison.Ordinal), async route =>
        {
            if (route.Request.Method == "POST" && Interlocked.Increment(ref posts) == 1)
            {
                var answered = await route.FetchAsync();
                Assert.Equal(200, answered.Status);
                await route.AbortAsync();
            }
            else
            {
                await route.ContinueAsync();
            }
        });
        await page.GetByLabel("Amount").FillAsync("12.34");
        await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The billing service could not be reached. Check your connection and try again.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Already posted: entry 1, adjustment +$12.34 (goodwill for ticket 881). Balance now $12.34.");
        Assert.Equal(2, posts);
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("Balance: $12.34");
        var ledger = page.GetByRole(AriaRole.Table, new() { Name = "Credit ledger, latest 20 entries" });
        var grant = ledger.GetByRole(AriaRole.Row).Filter(new() { HasText = "goodwill for ticket 881" });
        await Expect(grant).ToContainTextAsync("adjustment");
        await Expect(grant).ToContainTextAsync("+$12.34");
        await Expect(page.GetByLabel("Amount")).ToHaveValueAsync(string.Empty);

        await page.GetByLabel("Amount").FillAsync("-20");
        await page.GetByLabel("Reason").FillAsync("reverse a double grant");
        await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("There is not enough credit for that.");
        await BrowserFixture.ScreenshotAsync(page, "operator-credit");

        await page.GetByLabel("Amount").FillAsync("-2.34");
        await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Posted: entry 2, adjustment −$2.34 (reverse a double grant). Balance now $10.00.");
        await Expect(ledger.GetByRole(AriaRole.Row)).ToHaveCountAsync(3);
        await Expect(ledger.GetByRole(AriaRole.Row).Filter(new() { HasText = "reverse a double grant" })).ToContainTextAsync("−$2.34");
        await Expect(page.Locator("#alert")).ToBeEmptyAsync();
        await BrowserFixture.ScreenshotAsync(page, "operator-credit-ledger");
        Assert.Single(browser.ApiCalls, c => c.Method == "POST" && c.PathAndQuery.Contains(accountId, StringComparison.Ordinal) && c.Status == 409);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_credit_amount_goes_to_the_api_in_stripes_minor_units_5_isk_as_500_and_a_three_decimal_amount_stripe_cannot_charge_is_refused()
    {
        var accountId = await RegisterAccountAsync("opisk");
        var page = await OpenAccountAsync(accountId);
        await page.GetByLabel("Currency").FillAsync("isk");
        await page.GetByLabel("Reason").FillAsync("goodwill in krónur");
        var adjust = page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" });

        // The króna is written without decimals: a fraction is refused by the page, and nothing is sent.
        var calls = browser.ApiCalls.Count;
        await page.GetByLabel("Amount").FillAsync("5.5");
        await adjust.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Amount: ISK has no decimals: enter a whole amount.");
        Assert.Equal(calls, browser.ApiCalls.Count);

        // Stripe writes ISK with two decimals, so 5 krónur are sent as 500 (and refused: the development catalog
        // invoices in usd only, so credit in isk could never be spent).
        await page.GetByLabel("Amount").FillAsync("5");
        var sent = await page.RunAndWaitForRequestAsync(() => adjust.ClickAsync(), r => r.Method == "POST" && r.Url.EndsWith("/credits", StringComparison.Ordinal));
        Assert.Equal(500, sent.PostDataJSON()!.Value.GetProperty("amount").GetInt64());
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("could never be spent");

        // The dinars (KWD, BHD, JOD, TND) and the Omani rial are written with three decimals, but Stripe charges them in
        // steps of 0.010: a last digit other than 0 is refused by the page (the server would answer 400), and nothing is
        // sent; 1.230 goes as 1230 (then refused by the server, as isk was).
        foreach (var code in (string[])["kwd", "bhd", "jod", "omr", "tnd"])
        {
            await page.GetByLabel("Currency").FillAsync(code);
            calls = browser.ApiCalls.Count;
            await page.GetByLabel("Amount").FillAsync("1.235");
            await adjust.ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync($"Amount: Stripe charges {code.ToUpperInvariant()} in steps of 0.010: make the third decimal 0.");
            Assert.Equal(calls, browser.ApiCalls.Count);
            await page.GetByLabel("Amount").FillAsync("1.230");
            sent = await page.RunAndWaitForRequestAsync(() => adjust.ClickAsync(), r => r.Method == "POST" && r.Url.EndsWith("/credits", StringComparison.Ordinal));
            Assert.Equal((1230L, code), (sent.PostDataJSON()!.Value.GetProperty("amount").GetInt64(), sent.PostDataJSON()!.Value.GetProperty("currency").GetString()));
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"credit in '{code}' could never be spent");
        }

        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task The_invoices_list_filters_to_the_month_a_period_started_in()
    {
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        var periodStart = await InvoicingTests.OpenPeriodsAsync(Stack, subscriber);
        await InvoicingTests.RecordAsync(Stack, subscriber.AccountId, "agent_runs", 5_001);
        await InvoicingTests.RunInvoicingAsync(Stack, subscriber, await InvoicingTests.ClosePeriodsNowAsync(Stack, subscriber));
        await Eventually.UntilAsync(async () => (await InvoicingTests.InvoicesOfAsync(Stack, subscriber.CustomerId)).Any(i => i.Status is "open" or "paid"), "the usage invoice", TimeSpan.FromSeconds(90));
        var month = periodStart.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var monthBefore = periodStart.AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture);

        var page = await browser.OpenAsync("/operator/");
        await SignInAsync(page);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Operator views" }).GetByRole(AriaRole.Link, new() { Name = "Invoices" }).ClickAsync();
        await page.GetByLabel("Period month").FillAsync(month);
        var filter = page.GetByRole(AriaRole.Button, new() { Name = "Filter" });
        var table = page.GetByRole(AriaRole.Table, new() { Name = $"Invoices (period {month}), page 1" });
        var row = table.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = subscriber.AccountId }) });

        // The operator index is written as the run records each step (the draft, then the finalized invoice), a moment
        // after Stripe has it: filter again until the row is there and finalized.
        await Eventually.UntilAsync(
            async () =>
            {
                await filter.ClickAsync();
                await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("on page 1");
                return await row.CountAsync() == 1 && Regex.IsMatch(await row.InnerTextAsync(), "open|paid");
            },
            "the finalized invoice in the operator list",
            TimeSpan.FromSeconds(30));
        await Expect(row).ToContainTextAsync("$0.02");
        await Expect(row).ToContainTextAsync("PRO");
        await BrowserFixture.ScreenshotAsync(page, "operator-invoices");

        await page.GetByLabel("Period month").FillAsync(monthBefore);
        await filter.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("on page 1");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = subscriber.AccountId })).ToHaveCountAsync(0);

        await page.GetByLabel("Period month").FillAsync("2026-13");
        await filter.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Period month: write it as YYYY-MM, for example 2026-11.");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task An_address_whose_account_id_is_not_validly_encoded_shows_the_accounts_and_says_so()
    {
        var page = await browser.OpenAsync("/operator/#account/%E0");
        await SignInAsync(page);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Accounts", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The address does not name an account (its account id is not validly encoded), so the accounts are shown instead.");
        browser.AssertPagesKeptToTheContract(); // and no uncaught error in the page
    }

    [Fact]
    public async Task A_customer_token_on_the_operator_page_is_told_it_is_not_allowed()
    {
        var page = await browser.OpenAsync("/operator/");
        // As a team's app that hands the page a customer's token: a development token without the admin role.
        await page.EvaluateAsync("""
            async () => {
              const response = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ accountId: 'customer-7', operator: false }) });
              const body = await response.json();
              sessionStorage.setItem('billing.session.operator', JSON.stringify({ accountId: 'customer-7', token: body.token, expiresAt: body.expiresAt }));
            }
            """);
        await page.ReloadAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("You are signed in without the billing operator role, so the operator views are not allowed. Sign in with an operator (billing admin) account.");
        await Expect(page.GetByRole(AriaRole.Table)).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Operator views" })).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "operator-forbidden");
        Assert.Contains(browser.ApiCalls, c => c.PathAndQuery.StartsWith("/api/billing/admin/accounts", StringComparison.Ordinal) && c.Status == 403);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task On_a_phone_the_accounts_and_an_account_read_without_page_scrolling_sideways_and_pass_axe()
    {
        var accountId = await RegisterAccountAsync("opph");
        await RecordUsageAsync(accountId, "agent_runs", 7);
        var page = await browser.OpenAsync("/operator/", phone: true);
        await SignInAsync(page);
        await page.GetByLabel("Account or customer id contains").FillAsync(accountId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = accountId })).ToBeVisibleAsync();
        await ExpectNoSidewaysScrollAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "operator-accounts-phone");
        await ExpectNoSeriousAccessibilityViolationsAsync(page);

        // Keyboard only: the account's link is reachable and opens with Enter.
        await page.GetByRole(AriaRole.Link, new() { Name = accountId }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Account {accountId}" })).ToBeFocusedAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Usage this period" })).ToContainTextAsync("7");
        await ExpectNoSidewaysScrollAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "operator-account-phone");
        await ExpectNoSeriousAccessibilityViolationsAsync(page);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_filter_pressed_as_the_first_page_answers_is_applied_the_form_does_not_move_under_the_pointer()
    {
        // The accounts view's first page answered while the operator was pressing "Filter": its count appeared in the
        // page's status region above the form and pushed the form down (90 px on a phone) between the press and the
        // release, the click went to the form instead of the button, and the table kept the unfiltered first page
        // with the filter text in the search box. Here the first page's answer is held and let go mid-press.
        var accountId = await RegisterAccountAsync("oppress");
        await RegisterAccountAsync("oppress"); // the unfiltered first page has more than the one account
        var page = await browser.OpenAsync("/operator/", phone: true);
        var held = await HeldAnswer.HoldAsync(
            page, url => url.Contains("/api/billing/admin/accounts?", StringComparison.Ordinal) && !url.Contains("q=", StringComparison.Ordinal));
        try
        {
            await SignInAsync(page);
            await held.AskedAsync();
            await page.GetByLabel("Account or customer id contains").FillAsync(accountId);
            await held.ReleaseWithoutMovingAsync(
                page,
                page.GetByRole(AriaRole.Button, new() { Name = "Filter" }),
                () => Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("on page 1"),
                pressed: true);
        }
        finally
        {
            held.Release();
        }

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 account on page 1.");
        var accounts = page.GetByRole(AriaRole.Table, new() { Name = "Accounts, page 1" });
        await Expect(accounts.GetByRole(AriaRole.Link, new() { Name = accountId })).ToBeVisibleAsync();
        await Expect(accounts.GetByRole(AriaRole.Row)).ToHaveCountAsync(2); // the header and the one account
        await Expect(page.GetByLabel("Account or customer id contains")).ToHaveValueAsync(accountId);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task After_a_re_sync_redraws_the_account_its_adjust_credit_button_waits_for_the_adjustment_on_its_way()
    {
        // The re-sync draws the account anew, its "Adjust credit" button too: the button held while the adjustment was on
        // its way was replaced by one that worked, and a press sent the same adjustment (its key) again while the first
        // was unanswered: two posts of one adjustment and two answers shown ("Posted", then "Already posted").
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_basic_monthly");
        var page = await OpenAccountAsync(subscriber.AccountId);
        var posts = 0;
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url.EndsWith("/credits", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref posts);
            }
        };
        var held = await HeldAnswer.HoldAsync(page, url => url.EndsWith("/credits", StringComparison.Ordinal));
        var adjust = page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" });
        try
        {
            await AdjustThenResyncAsync(page, held.AskedAsync());
            await Expect(adjust).ToBeDisabledAsync();
        }
        finally
        {
            held.Release();
        }

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Posted: entry 1, adjustment +$4.00 (goodwill for the outage). Balance now $4.00.");
        await Expect(adjust).ToBeEnabledAsync();
        await Expect(page.GetByLabel("Amount")).ToHaveValueAsync("");
        Assert.Equal(1, posts);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_sign_out_while_the_development_token_is_renewed_stays_signed_out()
    {
        // The development sign-in renews a token within a minute of its expiry before a call; a sign-out while it was
        // renewed was undone by the renewal, which stored the session again: a reload found the operator signed in.
        var page = await browser.OpenAsync("/operator/");
        var asked = new TaskCompletionSource();
        var renewal = new TaskCompletionSource();
        var tokens = 0;
        await page.RouteAsync("**/dev/token", async route =>
        {
            if (Interlocked.Increment(ref tokens) == 1)
            {
                var response = await route.FetchAsync();
                var body = JsonNode.Parse(await response.TextAsync())!;
                body["expiresAt"] = DateTimeOffset.UtcNow.AddSeconds(30).ToString("O", CultureInfo.InvariantCulture); // renewed at its first use
                await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = body.ToJsonString() });
                return;
            }

            asked.TrySetResult();
            await renewal.Task;
            await route.ContinueAsync();
        });
        await SignInAsync(page);
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        renewal.SetResult();
        await Expect(page.GetByLabel("Operator id")).ToBeVisibleAsync();
        await page.EvaluateAsync("() => new Promise((resolve) => setTimeout(resolve, 1000))"); // the renewal has answered

        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('billing.session.operator')"));
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Operator id")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Operator views" })).ToBeHiddenAsync();
    }

    [Fact]
    public async Task An_adjustment_or_a_re_sync_answered_after_the_operator_signed_out_is_not_announced()
    {
        // Answers of a signed-out operator's session were still said on the page: "Account X: Posted: ... Balance now
        // $4.00." for an adjustment; a re-sync went on to read the account again without a token and said "Account X:
        // Your sign-in has expired. Sign in again." (or "Account X: Re-synced ..." to the operator who signed in next).
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_basic_monthly");
        var page = await OpenAccountAsync(subscriber.AccountId);
        var adjustment = await HeldAnswer.HoldAsync(page, url => url.EndsWith("/credits", StringComparison.Ordinal));
        try
        {
            await page.GetByLabel("Amount").FillAsync("4");
            await page.GetByLabel("Reason").FillAsync("goodwill");
            await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
            await adjustment.AskedAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(page.GetByLabel("Operator id")).ToBeVisibleAsync();
        }
        finally
        {
            adjustment.Release();
        }

        await adjustment.DeliveredAsync(page);
        await Expect(page.Locator("#status")).ToHaveTextAsync(string.Empty);
        await Expect(page.Locator("#alert")).ToHaveTextAsync(string.Empty);

        // The next operator's adjustment answered after they signed out and a third signed in on the same account: nothing
        // of it is said or drawn on the third's picture of the account (its form, result); the picture reads its balance
        // again itself.
        await SignInAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Account {subscriber.AccountId}" })).ToBeVisibleAsync();
        var second = await HeldAnswer.HoldAsync(page, url => url.EndsWith("/credits", StringComparison.Ordinal));
        try
        {
            await page.GetByLabel("Amount").FillAsync("5");
            await page.GetByLabel("Reason").FillAsync("second goodwill");
            await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
            await second.AskedAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await SignInAsync(page);
            await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("Balance: $4.00"); // read before the second posted
        }
        finally
        {
            second.Release();
        }

        await second.DeliveredAsync(page);
        await Expect(page.Locator("#status")).ToHaveTextAsync(string.Empty);
        await Expect(page.Locator("#alert")).ToHaveTextAsync(string.Empty);
        await Expect(page.Locator("#adjustment-result")).ToHaveTextAsync(string.Empty);
        // The third's own reading once the adjustment its button waited for was answered: the picture kept "Balance: $4.00",
        // read before it posted, with the button released beside it (a press added the $5.00 again).
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("Balance: $9.00");
        var ledger = page.GetByRole(AriaRole.Table, new() { Name = "Credit ledger, latest 20 entries" });
        await Expect(ledger.GetByRole(AriaRole.Row).Filter(new() { HasText = "second goodwill" })).ToHaveCountAsync(1);

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" })).ToBeEnabledAsync();
        var resync = await HeldAnswer.HoldAsync(page, url => url.EndsWith("/resync", StringComparison.Ordinal));
        var resynced = page.WaitForResponseAsync(r => r.Request.Method == "POST" && r.Url.EndsWith("/resync", StringComparison.Ordinal));
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Re-sync from Stripe" }).ClickAsync();
            await resync.AskedAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(page.GetByLabel("Operator id")).ToBeVisibleAsync();
        }
        finally
        {
            resync.Release();
        }

        Assert.Equal(200, (await resynced).Status); // the re-sync's answer came after the sign-out
        await resync.DeliveredAsync(page);
        await Expect(page.Locator("#status")).ToHaveTextAsync(string.Empty);
        await Expect(page.Locator("#alert")).ToHaveTextAsync(string.Empty);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_poison_message_is_replayed_from_its_own_row()
    {
        // The poison view made a "Replay" button for each message it can replay and never drew it: only "Replay selected"
        // was on the page, where the docs offer a replay per row.
        var (poison, eventId, page, row) = await PoisonRowShownAsync();
        var held = await ReplayHeldAsync(page, row, poison, eventId);
        held.Release();

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Not found (already replayed or gone): {eventId}.");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task While_a_replay_is_on_its_way_the_other_replay_buttons_of_its_queue_wait_for_it()
    {
        // Each row's "Replay" and "Replay selected" worked while another replay of the queue was on its way. The API's
        // replay leases every poison message it looks through until it is done, so the second replay did not see the
        // first's and answered "Not found (already replayed or gone)" for a message that stayed in the poison queue.
        var (poison, first) = await PoisonMessageOfAnEventNotStoredAsync();
        var (_, second) = await PoisonMessageOfAnEventNotStoredAsync();
        var page = await browser.OpenAsync("/operator/#poison");
        await SignInAsync(page);
        var table = page.GetByRole(AriaRole.Table, new() { Name = "Poison messages: Stripe events" });
        var secondReplay = table.GetByRole(AriaRole.Button, new() { Name = $"Replay {second}" });
        var replaySelected = page.GetByRole(AriaRole.Button, new() { Name = "Replay selected" });
        await Expect(secondReplay).ToBeEnabledAsync();
        var held = await ReplayHeldAsync(page, table, poison, first);
        try
        {
            await Expect(secondReplay).ToBeDisabledAsync();
            await Expect(replaySelected).ToBeDisabledAsync();
            // Taking the first out leased every message for a second: the second is listed again after the replay.
            await Eventually.UntilAsync(async () => (await poison.PeekTextsAsync()).Any(m => m.Contains(second, StringComparison.Ordinal)), "the second poison message visible again");
        }
        finally
        {
            held.Release();
        }

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Not found (already replayed or gone): {first}.");
        await Expect(secondReplay).ToBeEnabledAsync(); // the listing read again after the replay
        await Expect(replaySelected).ToBeEnabledAsync();
        await TakeOutAsync(poison, second);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_listing_that_fails_after_a_replay_says_why()
    {
        // After a replay the list is read again; when that reading was refused (a 503), its refusal was said in #alert and
        // taken back at once to say the replay's result: the list was emptied with no word of why.
        var (poison, eventId, page, row) = await PoisonRowShownAsync();
        await page.RouteAsync("**/api/billing/admin/poison?*", r => r.FulfillAsync(new RouteFulfillOptions
        {
            Status = 503,
            ContentType = "application/problem+json",
            Body = """{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Service Unavailable","status":503,"detail":"The queue store is unavailable."}""",
        }), new PageRouteOptions { Times = 1 });
        var held = await ReplayHeldAsync(page, row, poison, eventId);
        held.Release();

        await Expect(page.Locator(".list-status")).ToHaveTextAsync($"Not found (already replayed or gone): {eventId}.");
        await held.DeliveredAsync(page);
        await Expect(page.Locator("#alert")).ToContainTextAsync("The billing service is unavailable right now.");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_replay_answered_after_the_operator_chose_another_queue_is_said_with_the_queue_it_was_for()
    {
        // A replay of a Stripe event answered after the operator had chosen the invoicing jobs' queue: its "Not found
        // (already replayed or gone): evt_..." (or "Replayed 1: evt_...") was written on that queue's line, under its
        // table, as if it were about it.
        var (poison, eventId, page, row) = await PoisonRowShownAsync();
        var held = await ReplayHeldAsync(page, row, poison, eventId);
        try
        {
            await page.GetByLabel("Queue", new() { Exact = true }).SelectOptionAsync("invoice-jobs");
            await page.GetByRole(AriaRole.Button, new() { Name = "Show messages" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("in Usage invoicing jobs.");
        }
        finally
        {
            held.Release();
        }

        await held.DeliveredAsync(page);
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Stripe events: Not found (already replayed or gone): {eventId}.");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Poison messages: Stripe events" })).ToHaveCountAsync(0);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_re_sync_whose_account_read_answers_after_an_adjustments_refresh_does_not_draw_the_older_balance()
    {
        // The re-sync reads the account again and draws it anew. Read before an adjustment posted and answered after the
        // adjustment's own reading had drawn "Balance: $4.00", it drew the account as it was before: "Balance: $0.00"
        // and a ledger without the entry, until the next reading.
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_basic_monthly");
        var page = await OpenAccountAsync(subscriber.AccountId);
        var read = await HeldAnswer.HoldAsync(page, url => url.EndsWith($"/api/billing/admin/accounts/{subscriber.AccountId}", StringComparison.Ordinal), readNow: true);
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Re-sync from Stripe" }).ClickAsync();
            await read.AskedAsync(); // the re-sync's reading, taken before the adjustment
            await page.GetByLabel("Amount").FillAsync("4");
            await page.GetByLabel("Reason").FillAsync("goodwill");
            await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Posted: entry 1, adjustment +$4.00 (goodwill). Balance now $4.00.");
            await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("Balance: $4.00");
        }
        finally
        {
            read.Release();
        }

        await read.DeliveredAsync(page);
        await Expect(page.Locator("#resync-result")).ToContainTextAsync("Steps:");
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("Balance: $4.00");
        var ledger = page.GetByRole(AriaRole.Table, new() { Name = "Credit ledger, latest 20 entries" });
        await Expect(ledger.GetByRole(AriaRole.Row).Filter(new() { HasText = "goodwill" })).ToHaveCountAsync(1);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Clicking_accounts_on_the_accounts_view_keeps_the_filter_text_typed_and_not_yet_submitted()
    {
        // The page opened at /operator/ shows the accounts; its "Accounts" link (#accounts) drew the view anew from the
        // filters last submitted, and the text typed in the search box was gone. On #accounts the same click does nothing.
        var page = await browser.OpenAsync("/operator/");
        await SignInAsync(page);
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("on page 1");
        await page.GetByLabel("Account or customer id contains").FillAsync("typed-not-sent");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Operator views" }).GetByRole(AriaRole.Link, new() { Name = "Accounts" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#accounts$"));
        await page.EvaluateAsync("() => new Promise((resolve) => setTimeout(resolve, 500))"); // the hashchange has been handled
        await Expect(page.GetByLabel("Account or customer id contains")).ToHaveValueAsync("typed-not-sent");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("on page 1");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Clicking_accounts_after_the_accounts_could_not_be_read_reads_them_again()
    {
        // The view on screen is left alone when asked for again under another address (the test above), but not when it
        // could not be drawn: the accounts refused (a 503) on /operator/, "Accounts" did nothing and the list stayed empty.
        var page = await browser.OpenAsync("/operator/");
        await page.RouteAsync("**/api/billing/admin/accounts?*", r => r.FulfillAsync(new RouteFulfillOptions
        {
            Status = 503,
            ContentType = "application/problem+json",
            Body = """{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Service Unavailable","status":503,"detail":"The store is unavailable."}""",
        }), new PageRouteOptions { Times = 1 });
        await SignInAsync(page);
        await Expect(page.Locator("#alert")).ToContainTextAsync("The billing service is unavailable right now.");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Operator views" }).GetByRole(AriaRole.Link, new() { Name = "Accounts" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("on page 1");
        await Expect(page.Locator("#alert")).ToBeEmptyAsync();
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task An_adjustment_answered_after_the_operator_opened_its_account_again_shows_the_new_balance_there()
    {
        // The operator left the account while its adjustment was on its way and opened it again; that view read the
        // account before the adjustment posted. When it answered, "Account A: Posted: ... Balance now $4.00." was said
        // over "Balance: $0.00" and a ledger without the entry: only the view it was sent from (gone) was refreshed.
        var accountId = await RegisterAccountAsync("opagain");
        var page = await OpenAccountAsync(accountId);
        var held = await HeldAnswer.HoldAsync(page, url => url.EndsWith($"/api/billing/admin/accounts/{accountId}/credits", StringComparison.Ordinal));
        try
        {
            await page.GetByLabel("Amount").FillAsync("4");
            await page.GetByLabel("Reason").FillAsync("goodwill");
            await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
            await held.AskedAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Back to accounts" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("on page 1");
            await page.EvaluateAsync($"() => {{ location.hash = '#account/{accountId}'; }}");
            await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("Balance: $0.00"); // read before the adjustment posted
        }
        finally
        {
            held.Release();
        }

        await held.DeliveredAsync(page);
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("Balance: $4.00");
        var ledger = page.GetByRole(AriaRole.Table, new() { Name = "Credit ledger, latest 20 entries" });
        await Expect(ledger.GetByRole(AriaRole.Row).Filter(new() { HasText = "goodwill" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#adjustment-result")).ToHaveTextAsync("Posted: entry 1, adjustment +$4.00 (goodwill). Balance now $4.00.");
        await page.EvaluateAsync("() => new Promise((resolve) => setTimeout(resolve, 1000))"); // a later reading would have been asked by now
        // Read when opened, opened again, and once after the answer (the view on screen), not a second time by that view.
        Assert.Equal(3, browser.ApiCalls.Count(c => c.Method == "GET" && c.PathAndQuery == $"/api/billing/admin/accounts/{accountId}"));
        browser.AssertPagesKeptToTheContract();
    }

    /// <summary>
    /// Sends a $4.00 adjustment ("goodwill for the outage"), waits until its request is held (<paramref name="held"/>),
    /// then re-syncs the account from the keyboard and waits until the account has been drawn again.
    /// </summary>
    private static async Task AdjustThenResyncAsync(IPage page, Task held)
    {
        await page.GetByLabel("Amount").FillAsync("4");
        await page.GetByLabel("Reason").FillAsync("goodwill for the outage");
        await page.GetByRole(AriaRole.Button, new() { Name = "Adjust credit" }).ClickAsync();
        await held.WaitAsync(TimeSpan.FromSeconds(30));
        var resync = page.GetByRole(AriaRole.Button, new() { Name = "Re-sync from Stripe" });
        await resync.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Re-synced from Stripe");
        await Expect(resync).ToBeFocusedAsync();
    }

    /// <summary>21 new accounts whose ids share a tag, and an operator's accounts view filtered to them: page 1 of 2 (20 a page) drawn.</summary>
    private async Task<(IPage Page, string Tag)> TwoPagesOfAccountsAsync(string prefix)
    {
        var tag = prefix + Guid.NewGuid().ToString("N")[..8];
        await Task.WhenAll(Enumerable.Range(0, 21).Select(i => RegisterAccountAsync($"{tag}-{i.ToString("00", CultureInfo.InvariantCulture)}")));
        var page = await browser.OpenAsync("/operator/");
        await SignInAsync(page);
        await page.GetByLabel("Account or customer id contains").FillAsync(tag);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var links = page.GetByRole(AriaRole.Table, new() { Name = "Accounts, page 1" }).GetByRole(AriaRole.Link);
        await Expect(links.Filter(new() { HasNotText = tag })).ToHaveCountAsync(0);
        await Expect(links).ToHaveCountAsync(20);
        return (page, tag);
    }

    /// <summary>Opens one account's picture, signs a new operator in and waits for the account.</summary>
    private async Task<IPage> OpenAccountAsync(string accountId)
    {
        var page = await browser.OpenAsync($"/operator/#account/{accountId}");
        await SignInAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Account {accountId}" })).ToBeVisibleAsync();
        return page;
    }

    private static async Task SignInAsync(IPage page)
    {
        await page.GetByLabel("Operator id").FillAsync("ops-" + Guid.NewGuid().ToString("N")[..6]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Operator views" })).ToBeVisibleAsync();
    }

    private static async Task ExpectNoSeriousAccessibilityViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        var serious = result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(serious.Count == 0, "Accessibility violations:\n" + string.Join('\n', serious));
    }

    private static async Task ExpectNoSidewaysScrollAsync(IPage page)
    {
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= page.ViewportSize!.Width, $"The page scrolls sideways: {width} px of content on a {page.ViewportSize.Width} px screen.");
    }

    /// <summary>A message in the Stripe events' poison queue for an event the store does not hold (listed, replayable).</summary>
    private async Task<(QueueClient Poison, string EventId)> PoisonMessageOfAnEventNotStoredAsync()
    {
        var eventId = "evt_" + Guid.NewGuid().ToString("N")[..24];
        var poison = TestQueues.Client(Stack.Emulators.StorageConnectionString, Stack.QueueName + "-poison");
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync(JsonSerializer.Serialize(new { eventId }));
        return (poison, eventId);
    }

    /// <summary>A poison message of an event not stored, shown in its row of the poison view to an operator signed in.</summary>
    private async Task<(QueueClient Poison, string EventId, IPage Page, ILocator Row)> PoisonRowShownAsync()
    {
        var (poison, eventId) = await PoisonMessageOfAnEventNotStoredAsync();
        var page = await browser.OpenAsync("/operator/#poison");
        await SignInAsync(page);
        var row = page.GetByRole(AriaRole.Table, new() { Name = "Poison messages: Stripe events" }).GetByRole(AriaRole.Row).Filter(new() { HasText = eventId });
        await Expect(row).ToContainTextAsync("The event is not in the event store.");
        return (poison, eventId, page, row);
    }

    /// <summary>
    /// Presses the event's "Replay" (within scope: its row or the table) with the answer held until released, and takes the
    /// message out of the poison queue once the replay is asked for: it finds nothing to move, so it changes nothing in the
    /// queues the tests share.
    /// </summary>
    private static async Task<HeldAnswer> ReplayHeldAsync(IPage page, ILocator scope, QueueClient poison, string eventId)
    {
        var held = await HeldAnswer.HoldAsync(page, url => url.Contains("/api/billing/admin/poison/replay", StringComparison.Ordinal));
        try
        {
            await scope.GetByRole(AriaRole.Button, new() { Name = $"Replay {eventId}" }).ClickAsync();
            await held.AskedAsync();
            await TakeOutAsync(poison, eventId);
            return held;
        }
        catch
        {
            held.Release();
            throw;
        }
    }

    /// <summary>Takes the event's message out of the poison queue (a replay asked for meanwhile finds it gone and moves nothing).</summary>
    private static async Task TakeOutAsync(QueueClient poison, string eventId)
    {
        var received = await poison.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(1));
        var message = received.Value.Single(m => m.Body.ToString().Contains(eventId, StringComparison.Ordinal));
        await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt);
    }

    /// <summary>Registers a new account through the service API (as the product's backend does) and returns its id.</summary>
    private async Task<string> RegisterAccountAsync(string prefix)
    {
        var accountId = $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri($"/api/accounts/{accountId}", UriKind.Relative));
        request.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
        using var response = await Stack.App.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return accountId;
    }

    private async Task RecordUsageAsync(string accountId, string meter, long quantity)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/usage", UriKind.Relative))
        {
            Content = JsonContent.Create(new { accountId, meter, quantity, idempotencyKey = Guid.NewGuid().ToString() }),
        };
        request.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
        using var response = await Stack.App.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The id of the newest event of <paramref name="type"/> about <paramref name="objectId"/>, from the emulator's Events API.</summary>
    private async Task<string> LatestEventIdAsync(string type, string objectId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/v1/events?type={type}&limit=100", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StripeEmulatorProcess.SecretKey);
        using var response = await Stack.Emulator!.Controls.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return list.RootElement.GetProperty("data").EnumerateArray()
            .First(e => e.GetProperty("data").GetProperty("object").GetProperty("id").GetString() == objectId)
            .GetProperty("id").GetString()!;
    }
}
