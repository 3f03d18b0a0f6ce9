using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Billing.EndToEnd.Tests.Invoicing;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Billing.EndToEnd.Tests.Browser;

/// <summary>
/// The customer's billing page (src/Billing.Web/billing) in Chromium against the whole local stack: Checkout and the
/// portal on the Stripe emulator's own pages, webhooks applied by the app, usage recorded through the service API as
/// the product's backend does, invoices made by an operator's invoicing run. The development catalog: FREE allows 20 agent
/// runs; PRO includes 5,000 and charges 2 cents per run beyond.
/// </summary>
[Trait(LongClassesFirst.Trait, LongClassesFirst.LongRunning)]
public sealed partial class BillingPageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private WebhookStack Stack => browser.Stack;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => browser.CloseContextsAsync(); // the test's pages stop with it

    [Fact]
    public async Task A_new_account_upgrades_through_checkout_and_sees_the_paid_plan_with_its_quotas()
    {
        var accountId = NewAccount("upgrade");
        var page = await SignedInAsync(accountId);
        var staleTab = await SignedInAsync(accountId);
        await Expect(Plan(page)).ToHaveTextAsync("Free");
        await Expect(PlanCard(page, "Pro")).ToContainTextAsync("5,000 agent runs a period, then $0.02 per agent run beyond");

        // Prices as the emulator's Stripe has them, for the chosen interval.
        await Expect(PlanCard(page, "Pro")).ToContainTextAsync("$49.00 a month");
        await page.GetByLabel("Yearly").CheckAsync();
        await Expect(PlanCard(page, "Pro")).ToContainTextAsync("$490.00 a year");
        await page.GetByLabel("Monthly").CheckAsync();

        // Backing out of Checkout first: its cancel link returns to the page, nothing changed.
        await page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(CheckoutUrl());
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Checkout was cancelled: nothing was charged.");
        await Expect(Plan(page)).ToHaveTextAsync("Free");

        await page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" }).ClickAsync();
        await PayOnCheckoutAsync(page);

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("You are now on Pro.", new() { Timeout = 40_000 });
        await Expect(Plan(page)).ToHaveTextAsync("Pro");
        await Expect(page.Locator("#plan-body")).ToContainTextAsync("Active");
        await Expect(page.Locator("#plan-body")).ToContainTextAsync("Renews on");
        await Expect(page.GetByRole(AriaRole.Meter, new() { Name = "Agent runs used" })).ToHaveAttributeAsync("max", "5000");
        await Expect(page.Locator("#meter-agent_runs-text")).ToContainTextAsync("0 of 5,000 agent runs");
        await Expect(page.Locator("#meter-projects-text")).ToContainTextAsync("0 of 20 projects in use");
        await Expect(PlanCard(page, "Pro")).ToContainTextAsync("Current plan");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Manage billing" })).ToBeVisibleAsync();
        Assert.EndsWith("/billing/", page.Url, StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "billing-upgraded");

        // A tab opened before the upgrade still offers Checkout: the API answers 409 subscription_live, and the page
        // says so and offers the portal instead.
        await staleTab.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Enterprise" }).ClickAsync();
        await Expect(staleTab.GetByRole(AriaRole.Alert)).ToContainTextAsync("You already have a subscription. Use \"Manage billing\" to change or cancel it.");
        await staleTab.GetByRole(AriaRole.Alert).GetByRole(AriaRole.Button, new() { Name = "Open the billing portal" }).ClickAsync();
        await Expect(staleTab.GetByRole(AriaRole.Heading, new() { Name = "Billing portal" })).ToBeVisibleAsync();
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Usage_recorded_by_the_product_moves_the_bars_after_refresh()
    {
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        var page = await SignedInAsync(subscriber.AccountId);
        var runs = page.GetByRole(AriaRole.Meter, new() { Name = "Agent runs used" });
        await Expect(runs).ToHaveAttributeAsync("value", "0");

        Assert.Equal(HttpStatusCode.OK, await RecordAsync(subscriber.AccountId, "agent_runs", 1_200));
        await Refresh(page).ClickAsync();
        await Expect(runs).ToHaveAttributeAsync("value", "1200");
        await Expect(page.Locator("#meter-agent_runs-text")).ToContainTextAsync("1,200 of 5,000 agent runs · 3,800 left · then $0.02 per agent run beyond");

        // Past the included runs: the bar is full and the overage is priced (200 x 2 cents), also as an upcoming charge.
        Assert.Equal(HttpStatusCode.OK, await RecordAsync(subscriber.AccountId, "agent_runs", 4_000));
        await Refresh(page).ClickAsync();
        await Expect(runs).ToHaveAttributeAsync("value", "5000");
        await Expect(page.Locator("#meter-agent_runs-text")).ToContainTextAsync("5,200 of 5,000 agent runs · 0 left · 200 beyond the included amount: $4.00 so far ($0.02 per agent run beyond)");
        await Expect(page.Locator("#usage-body")).ToContainTextAsync("Overage so far this period: $4.00");
        await page.ReloadAsync();
        await Expect(page.Locator("#invoices-body")).ToContainTextAsync("$4.00 accrued for");
        await BrowserFixture.ScreenshotAsync(page, "billing-usage");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Refresh_pressed_from_the_keyboard_keeps_the_focus_on_the_refresh_button()
    {
        // The button is disabled while the usage is read; a disabled button loses the focus to the page's body, so a
        // keyboard user was sent back to the top of the page by every refresh.
        var page = await SignedInAsync(NewAccount("refresh-keys"));
        var refresh = Refresh(page);
        await refresh.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Usage updated at");
        await Expect(refresh).ToBeEnabledAsync();
        await Expect(refresh).ToBeFocusedAsync();
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task An_answer_for_an_account_signed_out_during_the_load_is_not_drawn_on_the_page_of_the_account_signed_in_next()
    {
        // Account A (on a trial) opens the page; while A's subscription is read, A signs out and B (free) signs in. A's
        // answer came after B's page was drawn and drew "Trial" on B's page; the page kept A's subscription, invoice and
        // ledger cursors for B's buttons. Here A's answer is held until B's page is drawn.
        var a = NewAccount("switch-a");
        var page = await SignedInAsync(a);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start the 14-day free trial" }).ClickAsync();
        await Expect(Plan(page)).ToHaveTextAsync("Trial");
        var held = await HeldAnswer.HoldAsync(page, "**/api/billing/subscription", readNow: true); // A's, read now and delivered later
        await page.ReloadAsync(); // signed in as A again from the session
        try
        {
            await held.AskedAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.GetByLabel("Account id").FillAsync(NewAccount("switch-b"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(Plan(page)).ToHaveTextAsync("Free");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start the 14-day free trial" })).ToBeVisibleAsync();
        }
        finally
        {
            held.Release();
        }

        await held.DeliveredAsync(page); // A's answer has been handled
        await Expect(Plan(page)).ToHaveTextAsync("Free");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start the 14-day free trial" })).ToBeVisibleAsync();
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Back_from_a_cancelled_checkout_the_plans_do_not_move_when_the_page_says_so()
    {
        // "Checkout was cancelled" was said once every section had loaded, above them, long after the plans and their
        // buttons were drawn and usable: the page moved down under a press begun on "Upgrade to Pro" (a phone's
        // tap lands on whatever comes under it). The invoices' answer is held so the plans are drawn well before.
        var page = await SignedInAsync(NewAccount("cancel-moves"), phone: true);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(CheckoutUrl());
        var held = await HeldAnswer.HoldAsync(page, "**/api/billing/invoices?*");
        var upgrade = page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" });
        try
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
            await Expect(upgrade).ToBeEnabledAsync();
            await Expect(page.Locator("#plan-body[aria-busy], #usage-body[aria-busy], #plans-body[aria-busy]")).ToHaveCountAsync(0); // drawn above and at the plans
            await held.ReleaseWithoutMovingAsync(page, upgrade, async () =>
            {
                await Expect(page.Locator("#invoices-body[aria-busy]")).ToHaveCountAsync(0); // every section has loaded
                await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Checkout was cancelled: nothing was charged.");
            });
        }
        finally
        {
            held.Release();
        }

        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task An_account_signed_in_after_another_came_back_from_the_portal_is_not_told_about_its_changes()
    {
        // A came back from the portal and signed out while its page still loaded (the portal visit, kept in the tab's
        // storage, is looked at once the page has loaded); B signed in on the same tab. B's page said "Welcome back:
        // checking for changes made in the billing portal…", compared A's subscription before the portal with B's, and
        // told B "Your changes in the billing portal are shown below." (B never went there).
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        var page = await SignedInAsync(subscriber.AccountId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Manage billing" }).ClickAsync();
        var held = await HeldAnswer.HoldAsync(page, "**/api/billing/invoices?*");
        try
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Return" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Welcome back: checking for changes made in the billing portal…");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.GetByLabel("Account id").FillAsync(NewAccount("portal-b"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(Plan(page)).ToHaveTextAsync("Free");
        }
        finally
        {
            held.Release();
        }

        await Expect(page.Locator("#plan-body[aria-busy], #credits-body[aria-busy], #invoices-body[aria-busy]")).ToHaveCountAsync(0); // every section has loaded
        await Expect(page.Locator("#status")).ToHaveTextAsync(""); // the portal watch says a change as the page has loaded
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task An_account_signed_in_while_another_accounts_checkout_is_being_confirmed_is_not_told_about_it()
    {
        // A paid at Checkout and was back on the success address, its confirmation waiting for Stripe's webhook; A
        // signed out and B signed in on the same tab. B's page read the session id from the address and A's pending
        // purchase from the tab's storage, said "Payment received — confirming your subscription…" and polled B's
        // subscription for A's plan, then told B its payment had gone through.
        var page = await SignedInAsync(NewAccount("confirm-a"));
        await Stack.Emulator!.ControlAsync("/_emulator/webhooks/hold");
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" }).ClickAsync();
            await PayOnCheckoutAsync(page);
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Payment received — confirming your subscription…");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.GetByLabel("Account id").FillAsync(NewAccount("confirm-b"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(Plan(page)).ToHaveTextAsync("Free");
            await Expect(page.Locator("#credits-body[aria-busy], #invoices-body[aria-busy]")).ToHaveCountAsync(0); // every section has loaded
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        }
        finally
        {
            await Stack.Emulator.ControlAsync("/_emulator/webhooks/release");
        }

        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Back_from_the_portal_the_page_does_not_move_when_it_says_it_is_checking_for_changes()
    {
        // As back from a cancelled Checkout: "Welcome back: checking for changes made in the billing portal…" was said
        // above every section once they had all loaded, moving the plan and plans under a press begun on them.
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        var page = await SignedInAsync(subscriber.AccountId, phone: true);
        await page.GetByRole(AriaRole.Button, new() { Name = "Manage billing" }).ClickAsync();
        var held = await HeldAnswer.HoldAsync(page, "**/api/billing/invoices?*");
        var manage = page.GetByRole(AriaRole.Button, new() { Name = "Manage billing" });
        try
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Return" }).ClickAsync();
            await Expect(manage).ToBeEnabledAsync();
            await Expect(page.Locator("#plan-body[aria-busy], #usage-body[aria-busy], #plans-body[aria-busy]")).ToHaveCountAsync(0);
            await held.ReleaseWithoutMovingAsync(page, manage, async () =>
            {
                await Expect(page.Locator("#invoices-body[aria-busy]")).ToHaveCountAsync(0); // every section has loaded
                await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Welcome back: checking for changes made in the billing portal…");
            });
        }
        finally
        {
            held.Release();
        }

        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_refresh_pressed_while_the_page_loads_is_not_drawn_over_by_the_pages_older_first_reading()
    {
        // The page's first usage reading, taken before the product recorded 7 runs, answers after a Refresh pressed while
        // the page was still loading: the page drew the refresh's 7, said "Usage updated", then drew the older 0 over it
        // (on a busy machine the Refresh button is usable long before the page's own reading comes back).
        var accountId = NewAccount("refresh-early");
        await RegisterAsync(accountId);
        HeldAnswer? held = null;
        var page = await SignedInAsync(accountId, routes: async page => held = await HeldAnswer.HoldAsync(page, "**/api/billing/usage?*", readNow: true)); // the first reading: read now, delivered later
        var runs = page.GetByRole(AriaRole.Meter, new() { Name = "Agent runs used" });
        try
        {
            await held!.AskedAsync();
            Assert.Equal(HttpStatusCode.OK, await RecordAsync(accountId, "agent_runs", 7));
            await Refresh(page).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Usage updated at");
            await Expect(runs).ToHaveAttributeAsync("value", "7");
        }
        finally
        {
            held?.Release();
        }

        await held.DeliveredAsync(page);
        await Expect(page.Locator("#usage-body[aria-busy]")).ToHaveCountAsync(0); // the first reading has been handled
        await Expect(runs).ToHaveAttributeAsync("value", "7");
        await Expect(page.Locator("#meter-agent_runs-text")).ToContainTextAsync("7 of 20 agent runs");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task The_automatic_refresh_leaves_the_keyboard_focus_where_it_was()
    {
        var accountId = NewAccount("auto-refresh");
        await RegisterAsync(accountId);
        var page = await SignedInAsync(accountId);
        await page.Clock.InstallAsync(); // the page's 30 s timer, run on demand
        await page.ReloadAsync();
        await Expect(Plan(page)).ToBeVisibleAsync();
        // The page starts its timer once every section has loaded: the credits can come well after the plan on a busy
        // machine, and a clock run before then fires nothing.
        await Expect(page.Locator("#content [id$='-body'][aria-busy]")).ToHaveCountAsync(0);
        var limits = page.GetByRole(AriaRole.Region, new() { Name = "Limits" });
        await limits.FocusAsync(); // a keyboard user scrolling the limits table

        Assert.Equal(HttpStatusCode.OK, await RecordAsync(accountId, "agent_runs", 3));
        await page.Clock.RunForAsync(31_000);
        await Expect(page.GetByRole(AriaRole.Meter, new() { Name = "Agent runs used" })).ToHaveAttributeAsync("value", "3");
        await Expect(limits).ToBeFocusedAsync();
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_closed_period_shows_its_invoice_with_status_and_a_working_link()
    {
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        var periodStart = await InvoicingTests.OpenPeriodsAsync(Stack, subscriber);
        await InvoicingTests.RecordAsync(Stack, subscriber.AccountId, "agent_runs", 5_250);
        await AdjustCreditAsync(subscriber.AccountId, 100, "goodwill");
        var page = await SignedInAsync(subscriber.AccountId);
        await Expect(page.Locator("#invoices-body")).ToContainTextAsync("No invoices yet.");
        await Expect(page.Locator("#invoices-body")).ToContainTextAsync("$5.00 accrued for");

        // The period closes; an operator's invoicing run invoices it; the customer reloads the page.
        await InvoicingTests.RunInvoicingAsync(Stack, subscriber, await InvoicingTests.ClosePeriodsNowAsync(Stack, subscriber));
        var invoice = (await Eventually.GetAsync(
            () => InvoicingTests.InvoicesOfAsync(Stack, subscriber.CustomerId),
            invoices => invoices.Count == 1 && invoices[0].Status == "open",
            "the period's usage invoice",
            TimeSpan.FromSeconds(90))).Single();
        // The run records the invoice just after Stripe has it: the customer reloads until it is listed.
        var row = page.GetByRole(AriaRole.Table, new() { Name = "Usage invoices, newest first" }).GetByRole(AriaRole.Row).Filter(new() { HasText = invoice.Number });
        await Eventually.UntilAsync(
            async () =>
            {
                await page.ReloadAsync();
                await Expect(page.Locator("#invoices-body")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("No invoices yet|" + System.Text.RegularExpressions.Regex.Escape(invoice.Number)));
                return await row.CountAsync() == 1;
            },
            "the invoice listed on the page",
            TimeSpan.FromSeconds(30));
        await Expect(row).ToContainTextAsync("Open");
        await Expect(row).ToContainTextAsync("$4.00");
        await Expect(row).ToContainTextAsync("after $1.00 credit");
        // The credit the invoice spent names its usage period, not the invoicing run's internal id.
        var spend = page.GetByRole(AriaRole.Table, new() { Name = "Credit ledger, newest first" }).GetByRole(AriaRole.Row).Nth(1);
        await Expect(spend).ToContainTextAsync("Spent on usage");
        await Expect(spend).ToContainTextAsync("-$1.00");
        await Expect(spend).ToContainTextAsync("Usage from " + periodStart.UtcDateTime.ToString("MMM d, yyyy", CultureInfo.InvariantCulture));
        await Expect(spend).Not.ToContainTextAsync(subscriber.AccountId);
        await BrowserFixture.ScreenshotAsync(page, "billing-invoice");

        var link = row.GetByRole(AriaRole.Link, new() { Name = $"View invoice {invoice.Number}" });
        Assert.Equal(invoice.HostedInvoiceUrl, await link.GetAttributeAsync("href"));
        await link.ClickAsync();
        await Expect(page.GetByText($"Invoice {invoice.Number} · open")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "Amount due" })).ToContainTextAsync("4.00");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task An_add_on_bought_through_checkout_is_confirmed_by_its_session_and_listed_with_the_limits()
    {
        var accountId = NewAccount("addon");
        var page = await SignedInAsync(accountId);
        var limits = page.GetByRole(AriaRole.Table, new() { Name = "Limits" });
        await Expect(limits.GetByRole(AriaRole.Row).Filter(new() { HasText = "Projects" })).ToContainTextAsync("1 at once");

        await page.GetByRole(AriaRole.Button, new() { Name = "Buy 5 more projects" }).ClickAsync();
        await PayOnCheckoutAsync(page);

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Thank you: 5 more projects now raises your limits.", new() { Timeout = 40_000 });
        await Expect(limits.GetByRole(AriaRole.Row).Filter(new() { HasText = "Projects" })).ToContainTextAsync("6 at once");
        await Expect(page.Locator("ul.add-ons")).ToContainTextAsync("+5 Projects (EXTRA_PROJECTS_5)");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task The_limits_say_a_full_allocation_meter_frees_up_when_units_are_released_not_at_the_next_period()
    {
        // Projects are held at once (POST and DELETE /api/allocations/projects): releasing one makes room again, a new
        // period does not; runs are counted per period.
        var page = await SignedInAsync(NewAccount("limits"));
        var limits = page.GetByRole(AriaRole.Table, new() { Name = "Limits" });
        var projects = limits.GetByRole(AriaRole.Row).Filter(new() { HasText = "Projects" });
        await Expect(projects).ToContainTextAsync("1 at once");
        await Expect(projects).ToContainTextAsync("Blocked until one is released or you upgrade");
        await Expect(limits.GetByRole(AriaRole.Row).Filter(new() { HasText = "Agent runs" })).ToContainTextAsync("Blocked until the next period or an upgrade");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task When_an_add_on_was_bought_is_shown_in_the_readers_time_zone_not_a_day_off()
    {
        // Bought at 03:00 UTC on 20 November: 19 November, 7 pm, for a reader in California (the page showed "Nov 20",
        // the UTC date, beside the ledger's and the plan's times in the reader's zone).
        var page = await SignedInRewrittenAsync(NewAccount("addon-zone"), "**/api/billing/entitlements", answer =>
        {
            answer["addOns"] = new JsonArray(new JsonObject
            {
                ["code"] = "EXTRA_PROJECTS_5", ["meter"] = "projects", ["units"] = 5, ["grantedAt"] = "2026-11-20T03:00:00+00:00", ["expiresAt"] = null, ["sessionId"] = "cs_test_zone",
            });
        }, timeZone: "America/Los_Angeles");
        await Expect(page.Locator("ul.add-ons")).ToContainTextAsync("+5 Projects (EXTRA_PROJECTS_5), bought Nov 19, 2026, 07:00 PM PST");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_shop_selling_in_euros_shows_the_free_plan_and_an_empty_credit_balance_in_euros_not_dollars()
    {
        // A plan's currency is that of its overage prices, null without overage (the free plan, as a merchant normally
        // configures it): the page wrote the free plan's price and an empty balance as "$0.00" whatever the shop sells in.
        static void InEuros(JsonObject answer)
        {
            foreach (var plan in answer["plans"]!.AsArray())
            {
                plan!["currency"] = (string?)plan["kind"] == "free" ? null : "eur";
                foreach (var price in plan["prices"]!.AsArray())
                {
                    price!["currency"] = "eur";
                }
            }

            foreach (var pack in answer["creditPacks"]!.AsArray())
            {
                pack!["price"]!["currency"] = "eur";
                pack["credit"]!["currency"] = "eur";
            }
        }

        var page = await SignedInRewrittenAsync(NewAccount("euro-shop"), "**/api/billing/plans", InEuros);
        await Expect(PlanCard(page, "Free").Locator("p.price")).ToHaveTextAsync("€0.00");
        await Expect(PlanCard(page, "Pro")).ToContainTextAsync("€49.00 a month");
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("€0.00");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_consumption_add_on_with_a_lifetime_is_offered_for_every_period_until_it_expires_not_for_this_period_only()
    {
        // An add-on on a consumption meter with an ExpiresAfter raises every usage period until it expires (MeterAddOn,
        // docs/api.md): the offer said "adds 100 agent runs to this period.", less than what is sold, and no lifetime.
        var page = await SignedInRewrittenAsync(NewAccount("addon-lifetime"), "**/api/billing/plans", answer =>
            answer["addOns"]!.AsArray().Single(a => (string?)a!["code"] == "EXTRA_AGENT_RUNS_100")!["expiresAfterSeconds"] = 90 * 86_400);
        var offer = page.Locator("ul.offers li").Filter(new() { HasText = "100 more agent runs" });
        await Expect(offer).ToContainTextAsync("$5.00: adds 100 agent runs to every usage period until it expires. Valid for 90 days.");

        // Without a lifetime it is the period it is bought in, as before.
        var plain = await SignedInAsync(NewAccount("addon-period"));
        await Expect(plain.Locator("ul.offers li").Filter(new() { HasText = "100 more agent runs" })).ToContainTextAsync("$5.00: adds 100 agent runs to this period.");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_credit_pack_bought_through_checkout_shows_in_the_balance_and_the_ledger()
    {
        var accountId = NewAccount("credits");
        var page = await SignedInAsync(accountId);
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("$0.00");

        await page.GetByRole(AriaRole.Button, new() { Name = "Buy $10 of usage credit" }).ClickAsync();
        await PayOnCheckoutAsync(page);

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Thank you: your $10 of usage credit was added to your credit.", new() { Timeout = 40_000 });
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("$10.00");
        var ledger = page.GetByRole(AriaRole.Table, new() { Name = "Credit ledger, newest first" });
        await Expect(ledger.GetByRole(AriaRole.Row).Nth(1)).ToContainTextAsync("Purchase");
        await Expect(ledger.GetByRole(AriaRole.Row).Nth(1)).ToContainTextAsync("+$10.00");

        // The ledger comes 10 entries at a time: ten operator adjustments later, "Show more" brings the purchase back.
        for (var i = 1; i <= 10; i++)
        {
            await AdjustCreditAsync(accountId, 1, $"goodwill {i.ToString(CultureInfo.InvariantCulture)}");
        }

        await page.ReloadAsync();
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("$10.10");
        await Expect(ledger.GetByRole(AriaRole.Row)).ToHaveCountAsync(11);
        await Expect(ledger.GetByRole(AriaRole.Row).Nth(1)).ToContainTextAsync("goodwill 10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show more" }).ClickAsync();
        await Expect(ledger.GetByRole(AriaRole.Row)).ToHaveCountAsync(12);
        await Expect(ledger.GetByRole(AriaRole.Row).Last).ToContainTextAsync("Purchase");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Show more" })).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "billing-credits");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Invoices_come_24_at_a_time_and_show_more_brings_the_older_ones_until_the_first()
    {
        // Thirty months of invoices the invoicing job made (stored as it stores them): the page lists the newest 24 and
        // "Show more invoices" the 6 older ones, the first invoice last.
        var accountId = NewAccount("invoices");
        var account = Billing.Domain.Accounts.AccountId.Parse(accountId);
        var start = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var month = 0; month < 30; month++)
        {
            var period = Billing.Domain.Metering.UsagePeriod.CalendarMonth(start.AddMonths(month));
            var number = "PAGE-" + (month + 1).ToString("D4", CultureInfo.InvariantCulture);
            await Stack.Data.InvoiceRuns.CreateAsync(
                new Billing.Application.Invoicing.InvoiceRun
                {
                    AccountId = account,
                    PeriodKey = period.Key,
                    PeriodStart = period.Start,
                    PeriodEnd = period.End,
                    Plan = Billing.Domain.Plans.PlanCode.Parse("PRO"),
                    Currency = Billing.Domain.Pricing.Currency.Parse("usd"),
                    Lines = [],
                    Step = Billing.Application.Invoicing.InvoiceRunStep.Recorded,
                    StripeInvoiceId = "in_" + Guid.NewGuid().ToString("N"),
                    Number = number,
                    Status = "paid",
                    CreatedAt = period.End,
                    UpdatedAt = period.End,
                },
                CancellationToken.None);
        }

        var page = await SignedInAsync(accountId);
        var invoices = page.GetByRole(AriaRole.Table, new() { Name = "Usage invoices, newest first" });
        await Expect(invoices.GetByRole(AriaRole.Row)).ToHaveCountAsync(25); // the header and 24
        await Expect(invoices.GetByRole(AriaRole.Row).Nth(1)).ToContainTextAsync("PAGE-0030");
        await Expect(invoices.GetByRole(AriaRole.Row).Last).ToContainTextAsync("PAGE-0007");

        await page.GetByRole(AriaRole.Button, new() { Name = "Show more invoices", Exact = true }).ClickAsync();

        await Expect(invoices.GetByRole(AriaRole.Row)).ToHaveCountAsync(31);
        await Expect(invoices.GetByRole(AriaRole.Row).Last).ToContainTextAsync("PAGE-0001");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("6 more invoices shown.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Show more invoices", Exact = true })).ToHaveCountAsync(0);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Amounts_are_shifted_by_stripes_decimals_for_their_currency_so_500_isk_shows_as_5_kronur()
    {
        // Stripe writes ISK with two decimals although the króna has none (500 is 5 ISK), JPY with none and KWD with
        // three: the credit answer as it would be for balances in those currencies (the development catalog has usd only).
        static JsonObject Money(string currency, long amount) => new() { ["currency"] = currency, ["amount"] = amount };
        var page = await SignedInRewrittenAsync(NewAccount("currencies"), "**/api/billing/credits*", answer =>
        {
            answer["balances"] = new JsonArray(Money("isk", 500), Money("jpy", 500), Money("kwd", 5000), Money("usd", 500));
            answer["entries"] = new JsonArray(new JsonObject
            {
                ["sequence"] = 1, ["kind"] = "adjustment", ["currency"] = "isk", ["amount"] = 1050, ["at"] = "2026-11-20T09:00:00Z", ["reason"] = "half a króna",
            });
        });

        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("ISK 5 + ¥500 + KWD 5.000 + $5.00");
        // An amount the króna's own (no) decimals would round shows Stripe's two.
        var ledger = page.GetByRole(AriaRole.Table, new() { Name = "Credit ledger, newest first" });
        await Expect(ledger.GetByRole(AriaRole.Row).Nth(1)).ToContainTextAsync("+ISK 10.50");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Manage_billing_opens_the_portal_and_the_page_shows_what_was_changed_there_on_return()
    {
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        var page = await SignedInAsync(subscriber.AccountId);
        await Expect(page.Locator("#plan-body")).ToContainTextAsync("Renews on");

        await page.GetByRole(AriaRole.Button, new() { Name = "Manage billing" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Billing portal" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel at period end" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Renew plan" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Return" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your plan" })).ToBeVisibleAsync();
        // The page looks for up to 2 minutes; the event normally lands within seconds, on a loaded machine later.
        await Expect(page.Locator("#plan-body")).ToContainTextAsync("Ends on", new() { Timeout = 60_000 });
        await Expect(page.Locator("#plan-body")).ToContainTextAsync("cancelled: the free plan applies after that");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your changes in the billing portal are shown below.");
        await BrowserFixture.ScreenshotAsync(page, "billing-after-portal");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_portal_change_whose_webhook_lands_after_the_first_20_seconds_is_still_shown()
    {
        // Stripe's webhook of the change can be late: an event whose first processing fails (its queue message seen
        // before the event was stored, a Stripe or Cosmos hiccup) is processed again only after the queue's
        // visibilityTimeout (30 s in host.json). The page stopped looking after 20 s, and nothing redrew the plan after
        // that: the customer never saw the cancellation they had just made. Here the emulator holds the webhook while
        // the page's clock runs past 20 s (and past its 30 s usage refresh), then lets it go.
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        var page = await SignedInAsync(subscriber.AccountId);
        await page.Clock.InstallAsync(); // the page's watch, run on demand
        await page.ReloadAsync();
        await Expect(page.Locator("#plan-body")).ToContainTextAsync("Renews on");

        await Stack.Emulator!.ControlAsync("/_emulator/webhooks/hold");
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Manage billing" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Cancel at period end" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Renew plan" })).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Return" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("checking for changes made in the billing portal");
            Assert.Equal(HttpStatusCode.OK, await RecordAsync(subscriber.AccountId, "agent_runs", 3));
            await page.Clock.RunForAsync(31_000);

            // Meanwhile the usage is refreshed every 30 s as on any visit: the watch does not hold it back.
            await Expect(page.GetByRole(AriaRole.Meter, new() { Name = "Agent runs used" })).ToHaveAttributeAsync("value", "3");
        }
        finally
        {
            await Stack.Emulator.ControlAsync("/_emulator/webhooks/release");
        }

        await Stack.Data.WaitForAccountAsync(subscriber.AccountId, a => a.Subscription?.CancelAtPeriodEnd == true, "the cancellation applied");
        await page.Clock.RunForAsync(11_000);
        await Expect(page.Locator("#plan-body")).ToContainTextAsync("Ends on");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your changes in the billing portal are shown below.");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Refusals_show_as_sentences_a_person_understands()
    {
        // 409 trial_already_used, real: the trial is taken in one tab, then asked again from a second, older tab.
        var accountId = NewAccount("trial");
        var first = await SignedInAsync(accountId);
        var second = await SignedInAsync(accountId);
        await first.GetByRole(AriaRole.Button, new() { Name = "Start the 14-day free trial" }).ClickAsync();
        await Expect(first.GetByRole(AriaRole.Status)).ToContainTextAsync("Your free trial has started.");
        await Expect(Plan(first)).ToHaveTextAsync("Trial");
        await Expect(first.Locator("#plan-body")).ToContainTextAsync("Trial ends");
        await Expect(first.Locator("#plan-body")).Not.ToContainTextAsync("Ends on"); // the same moment, said once
        await second.GetByRole(AriaRole.Button, new() { Name = "Start the 14-day free trial" }).ClickAsync();
        await Expect(second.GetByRole(AriaRole.Alert)).ToHaveTextAsync("This account has already had its free trial: a trial is offered once per account. Choose a paid plan to go on.");
        await BrowserFixture.ScreenshotAsync(second, "billing-trial-already-used");

        // 402 quota_exceeded, real: the product's backend is refused the 21st agent run of the free plan; the page shows
        // the same sentence as a banner once the usage is refreshed.
        var free = NewAccount("limit");
        await RegisterAsync(free);
        var page = await SignedInAsync(free);
        Assert.Equal(HttpStatusCode.OK, await RecordAsync(free, "agent_runs", 20));
        Assert.Equal(HttpStatusCode.PaymentRequired, await RecordAsync(free, "agent_runs", 1));
        await Refresh(page).ClickAsync();
        await Expect(page.Locator("[data-limit-reached=agent_runs]")).ToHaveTextAsync("You have used all 20 agent runs your plan includes this period. Upgrade to Basic to get more.");

        // 503 stripe_unavailable: the emulator cannot be taken down under the shared fixture, so the one checkout call is
        // answered with the exact problem the app's ExceptionMiddleware writes when Stripe cannot be reached.
        await AnswerProblemAsync(page, "**/api/billing/checkout", 503, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Payment provider unavailable","status":503,"detail":"Stripe could not be reached; try again shortly.","code":"stripe_unavailable"}""", retryAfter: "2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Payments are unavailable right now: we could not reach Stripe. Nothing was charged. Try again in a moment.");
        Assert.EndsWith("/billing/", page.Url, StringComparison.Ordinal);
        await BrowserFixture.ScreenshotAsync(page, "billing-limit-and-stripe-down");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_plan_the_catalog_and_stripe_disagree_on_is_refused_in_words_for_the_customer_without_the_operators_detail()
    {
        // 409 plan_not_sold (CheckoutSessions): its detail is for the operator, naming the Stripe price and what is wrong
        // with it; the page showed it to the customer as it was.
        var page = await SignedInAsync(NewAccount("not-sold"));
        await AnswerProblemAsync(page, "**/api/billing/checkout", 409, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"The plan is not on sale at this interval.","status":409,"detail":"The PRO plan is not sold by the month now: its price price_pro_monthly is in usd in Stripe, but the plan's currency (its overage, billed on usage invoices) is eur. Nothing was created; choose another plan or interval, or try again later.","code":"plan_not_sold"}""");

        await page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("This plan cannot be bought with this billing interval right now. Nothing was charged. Choose another plan or interval, or try again later.");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Leaving_for_checkout_keeps_the_button_disabled_and_an_address_that_is_not_a_web_page_is_not_opened()
    {
        var page = await SignedInAsync(NewAccount("leave"));
        var upgrade = page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" });

        // An answer whose url is not a web page (a compromised or misconfigured proxy): refused, and said so.
        await page.RouteAsync("**/api/billing/checkout", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200,
            ContentType = "application/json",
            Headers = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = browser.Pages.BaseAddress.GetLeftPart(UriPartial.Authority) },
            Body = """{"sessionId":"cs_test_forged","url":"javascript:alert(document.domain)","plan":"PRO","interval":"month"}""",
        }));
        await upgrade.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The billing service answered with an address that is not a web page, so it was not opened. Nothing was charged.");
        await Expect(upgrade).ToBeEnabledAsync();
        await Expect(page.Locator("#status")).Not.ToContainTextAsync("Opening Stripe Checkout");
        Assert.EndsWith("/billing/", page.Url, StringComparison.Ordinal);
        await page.UnrouteAsync("**/api/billing/checkout");

        // Once the browser is on its way to Stripe the button stays disabled, so a second click while Stripe's page
        // loads cannot start another Checkout. Its state as the page is left is kept where Back can read it.
        await page.EvaluateAsync("""
            () => addEventListener('pagehide', () => {
              const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Upgrade to Pro');
              sessionStorage.setItem('upgrade-disabled-when-left', String(button.disabled));
            })
            """);
        await upgrade.ClickAsync();
        await Expect(page).ToHaveURLAsync(CheckoutUrl());
        await page.GoBackAsync();
        Assert.Equal("true", await page.EvaluateAsync<string>("() => sessionStorage.getItem('upgrade-disabled-when-left')"));
        await Expect(upgrade).ToBeEnabledAsync(); // Back: usable again
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task While_one_checkout_is_being_opened_the_other_buttons_that_open_stripe_wait()
    {
        // Upgrade to Pro, and before its answer a click on Enterprise: two sessions, and the one whose answer comes last
        // (possibly Pro's, which the API expired when Enterprise's was made) is where the browser went. The page's credit
        // offers are drawn once their section has loaded, which can be after the click: those buttons wait too (they were
        // drawn enabled, and a click on one started a second Checkout).
        var credits = new TaskCompletionSource();
        var page = await SignedInAsync(NewAccount("two-checkouts"), routes: page => page.RouteAsync("**/api/billing/credits?*", async route =>
        {
            await credits.Task;
            await route.ContinueAsync();
        }));
        var answer = new TaskCompletionSource();
        var posts = 0;
        await page.RouteAsync("**/api/billing/checkout", async route =>
        {
            Interlocked.Increment(ref posts);
            await answer.Task;
            await route.ContinueAsync();
        });
        try
        {
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Buy 5 more projects" })).ToHaveCountAsync(0);
            await page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" })).ToBeDisabledAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Enterprise" })).ToBeDisabledAsync();
            credits.TrySetResult();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Buy 5 more projects" })).ToBeDisabledAsync();
        }
        finally
        {
            credits.TrySetResult();
            answer.TrySetResult();
        }

        await Expect(page).ToHaveURLAsync(CheckoutUrl());
        Assert.Equal(1, posts);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task While_a_checkout_is_being_opened_the_trial_button_waits_and_while_the_trial_starts_the_checkout_buttons_wait()
    {
        // Starting the app-side trial expires an open Checkout that grants Stripe's trial, also one made while it runs
        // (docs/api.md): the trial button did not wait as the buttons that open Stripe do, so "Start the trial" pressed
        // while "Upgrade to Basic" (14 days free) was being opened, or the other way round, sent the browser to a Checkout
        // the trial had expired.
        var page = await SignedInAsync(NewAccount("trial-wait"));
        var checkout = new TaskCompletionSource();
        await page.RouteAsync("**/api/billing/checkout", async route =>
        {
            await checkout.Task;
            await route.ContinueAsync();
        });
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Basic" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start the 14-day free trial" })).ToBeDisabledAsync();
        }
        finally
        {
            checkout.TrySetResult();
        }

        await Expect(page).ToHaveURLAsync(CheckoutUrl());

        var other = await SignedInAsync(NewAccount("trial-first"));
        var trial = new TaskCompletionSource();
        await other.RouteAsync("**/api/billing/trial", async route =>
        {
            await trial.Task;
            await route.ContinueAsync();
        });
        try
        {
            await other.GetByRole(AriaRole.Button, new() { Name = "Start the 14-day free trial" }).ClickAsync();
            await Expect(other.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Basic" })).ToBeDisabledAsync();
        }
        finally
        {
            trial.TrySetResult();
        }

        await Expect(other.GetByRole(AriaRole.Status)).ToContainTextAsync("Your free trial has started.");
        await Expect(other.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Basic" })).ToBeEnabledAsync();
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task The_page_has_no_serious_accessibility_violations_works_with_the_keyboard_and_fits_a_phone()
    {
        // Keyboard only: from the top of the page to the account field, sign in with Enter, then Tab to "Upgrade to Pro".
        var page = await browser.OpenAsync("/billing/");
        var signIn = page.GetByLabel("Account id");
        await BrowserFixture.TabUntilFocusedAsync(page, signIn);
        await page.Keyboard.TypeAsync(NewAccount("keys"));
        await page.Keyboard.PressAsync("Enter");
        var upgrade = page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" });
        await Expect(upgrade).ToBeVisibleAsync();
        await Expect(page.Locator("#credits-body")).ToContainTextAsync("Balance");

        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))})").ToList();
        Assert.True(serious.Count == 0, "Accessibility violations:\n" + string.Join('\n', serious));

        await BrowserFixture.TabUntilFocusedAsync(page, upgrade);
        await BrowserFixture.ScreenshotAsync(page, "billing-free");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Pay" })).ToBeVisibleAsync();

        // A phone: one column, no horizontal scrolling of the page (wide tables scroll inside their own box).
        var phone = await SignedInAsync(NewAccount("phone"), phone: true);
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "Credits" })).ToBeVisibleAsync();
        await Expect(phone.Locator("#credits-body")).ToContainTextAsync("Balance");
        var overflow = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The page scrolls sideways by {overflow.ToString(CultureInfo.InvariantCulture)} px on a phone.");
        var phoneAxe = await phone.RunAxe();
        Assert.DoesNotContain(phoneAxe.Violations, v => v.Impact is "serious" or "critical");
        await BrowserFixture.ScreenshotAsync(phone, "billing-phone");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_host_app_that_supplies_the_token_gets_the_page_without_a_sign_in_form()
    {
        // docs/frontend.md: the team's app defines window.billingHost = { apiBaseUrl, getToken } before the page's script.
        var page = await browser.OpenAsync("/billing/");
        var api = Stack.App.BaseAddress.GetLeftPart(UriPartial.Authority);
        await page.AddInitScriptAsync($$"""window.billingHost = { apiBaseUrl: '{{api}}', getToken: async () => '{{Token(NewAccount("host"))}}' };""");
        await page.ReloadAsync();

        await Expect(Plan(page)).ToHaveTextAsync("Free");
        await Expect(page.GetByRole(AriaRole.Meter, new() { Name = "Agent runs used" })).ToHaveAttributeAsync("max", "20");
        await Expect(page.GetByLabel("Account id")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task The_plan_card_says_when_a_plan_ends_and_the_plans_offer_only_what_is_sold()
    {
        // States the emulator's portal cannot set: the real answer with what Stripe or a failed payment would change.
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        var cancelled = await SignedInRewrittenAsync(subscriber.AccountId, "**/api/billing/subscription", answer =>
        {
            answer["subscription"]!["cancelAt"] = "2031-05-17T12:00:00+00:00"; // cancel_at: a date, not the period end
            answer["planEndsAt"] = "2031-05-17T12:00:00+00:00";
        });
        await Expect(cancelled.Locator("#plan-body")).ToContainTextAsync("Ends onMay 17, 2031, 12:00 PM UTC (cancelled: the free plan applies after that)");
        await Expect(cancelled.Locator("#plan-body")).Not.ToContainTextAsync("Renews on");
        await Expect(cancelled.Locator("#plan-body")).ToContainTextAsync("BilledMonthly"); // still live until then

        var ended = await SignedInRewrittenAsync(subscriber.AccountId, "**/api/billing/subscription", answer =>
        {
            answer["source"] = "free"; // cancelled at once: the free plan applies
            answer["status"] = "canceled";
            answer["subscription"]!["status"] = "canceled";
        });
        await Expect(ended.Locator("#plan-body")).ToContainTextAsync("Canceled");
        await Expect(ended.Locator("#plan-body")).Not.ToContainTextAsync("Billed");

        var grace = await SignedInRewrittenAsync(subscriber.AccountId, "**/api/billing/subscription", answer =>
        {
            answer["source"] = "gracePeriod";
            answer["status"] = "past_due";
            answer["subscription"]!["status"] = "past_due";
            answer["planEndsAt"] = "2031-05-20T12:00:00+00:00";
        });
        await Expect(grace.Locator("#plan-body")).ToContainTextAsync("Kept untilMay 20, 2031, 12:00 PM UTC (unless the payment goes through");
        await Expect(grace.Locator("#plan-body")).Not.ToContainTextAsync("Renews on");

        // A catalog that sells its paid plans yearly only: the page starts on Yearly (there is no interval to choose).
        var yearly = await SignedInRewrittenAsync(NewAccount("yearly"), "**/api/billing/plans", answer =>
        {
            foreach (var plan in answer["plans"]!.AsArray().Where(p => (string?)p!["kind"] == "paid"))
            {
                plan!["intervals"] = new JsonArray("year");
                plan["prices"] = new JsonArray([.. plan["prices"]!.AsArray().Where(p => (string?)p!["interval"] == "year").Select(p => p!.DeepClone())]);
            }
        });
        await Expect(PlanCard(yearly, "Pro")).ToContainTextAsync("$490.00 a year");
        await Expect(yearly.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" })).ToBeEnabledAsync();

        // Pro sold monthly and yearly, but Stripe gave the monthly price no fixed amount: no yearly price beside the
        // monthly button.
        var unpriced = await SignedInRewrittenAsync(NewAccount("unpriced"), "**/api/billing/plans", answer =>
        {
            var pro = answer["plans"]!.AsArray().Single(p => (string?)p!["code"] == "PRO")!;
            pro["prices"] = new JsonArray([.. pro["prices"]!.AsArray().Where(p => (string?)p!["interval"] == "year").Select(p => p!.DeepClone())]);
        });
        await Expect(unpriced.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" })).ToBeEnabledAsync();
        await Expect(PlanCard(unpriced, "Pro")).Not.ToContainTextAsync("a year");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task The_plan_card_of_a_stripe_trial_does_not_say_paid_and_a_lapsed_past_due_subscription_says_why_the_free_plan_applies()
    {
        // The API's source is "subscription" during Stripe's trial too (nothing paid yet), and "free" once a failed
        // payment's grace period is over while Stripe still retries (status past_due): the page said "Your subscription
        // is paid up." beside "First payment", and "You are on the free plan." beside "Past due" and "Renews on".
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        var trialing = await SignedInRewrittenAsync(subscriber.AccountId, "**/api/billing/subscription", answer =>
        {
            answer["status"] = "trialing";
            answer["subscription"]!["status"] = "trialing";
            answer["subscription"]!["trialEnd"] = answer["subscription"]!["currentPeriodEnd"]!.DeepClone();
        });
        await Expect(trialing.Locator("#plan-body")).ToContainTextAsync("First payment");
        await Expect(trialing.Locator("#plan-body")).ToContainTextAsync("Your subscription is in its free trial: the first payment is taken when the trial ends.");
        await Expect(trialing.Locator("#plan-body")).Not.ToContainTextAsync("paid up");

        // Cancelled during the trial: nothing will be charged, and the card says when the plan ends.
        var trialCancelled = await SignedInRewrittenAsync(subscriber.AccountId, "**/api/billing/subscription", answer =>
        {
            answer["status"] = "trialing";
            answer["subscription"]!["status"] = "trialing";
            answer["subscription"]!["trialEnd"] = answer["subscription"]!["currentPeriodEnd"]!.DeepClone();
            answer["cancelAtPeriodEnd"] = true;
            answer["subscription"]!["cancelAtPeriodEnd"] = true;
            answer["planEndsAt"] = answer["subscription"]!["currentPeriodEnd"]!.DeepClone();
        });
        await Expect(trialCancelled.Locator("#plan-body")).ToContainTextAsync("Your subscription is in its free trial and is cancelled: nothing will be charged.");
        await Expect(trialCancelled.Locator("#plan-body")).ToContainTextAsync("cancelled: the free plan applies after that");
        await Expect(trialCancelled.Locator("#plan-body")).Not.ToContainTextAsync("First payment");

        // The entitlements' reason is then freeFallback, whose sentence said the subscription had ended: it has not.
        var lapsed = await SignedInRewrittenAsync(subscriber.AccountId, [
            ("**/api/billing/subscription", answer =>
            {
                answer["source"] = "free";
                answer["plan"] = new JsonObject { ["code"] = "FREE", ["displayName"] = "Free", ["kind"] = "free" };
                answer["planEndsAt"] = null;
                answer["status"] = "past_due";
                answer["subscription"]!["status"] = "past_due";
            }),
            ("**/api/billing/entitlements", answer =>
            {
                answer["reason"] = "freeFallback";
                answer["endsAt"] = null;
            }),
        ]);
        await Expect(lapsed.Locator("#plan-body")).ToContainTextAsync("Past due");
        await Expect(lapsed.Locator("#plan-body")).ToContainTextAsync("Your last payment failed and the grace period is over: the free plan applies until the payment goes through.");
        await Expect(lapsed.Locator("#plan-body")).Not.ToContainTextAsync("Renews on");
        await Expect(lapsed.Locator("#entitlements-body")).ToContainTextAsync("Your last payment failed and the grace period is over: the free plan applies until the payment goes through.");
        await Expect(lapsed.Locator("#entitlements-body")).Not.ToContainTextAsync("has ended");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task An_add_on_the_plan_in_force_has_no_limit_for_is_not_offered_for_sale()
    {
        // ENTERPRISE puts no limit on projects or agent runs: the page offered "Buy 5 more projects" and "Buy 100 more
        // agent runs this period", and a click was refused (409 add_on_not_applicable) with the API's detail, which
        // names the meter and the add-on by their codes.
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_enterprise_monthly");
        var page = await SignedInAsync(subscriber.AccountId);
        await Expect(Plan(page)).ToHaveTextAsync("Enterprise");
        var offers = page.Locator("#credits-body");
        await Expect(offers.GetByRole(AriaRole.Button, new() { Name = "Buy $10 of usage credit" })).ToBeVisibleAsync();
        await Expect(offers.GetByRole(AriaRole.Button, new() { Name = "Buy 5 more projects" })).ToHaveCountAsync(0);
        await Expect(offers.Locator("li").Filter(new() { HasText = "5 more projects" })).ToContainTextAsync("$15.00: not needed, your Enterprise plan puts no limit on projects.");

        // The refusal itself, should a tab drawn on another plan still send it, reads as a sentence.
        var free = await SignedInAsync(NewAccount("addon-refused"));
        await AnswerProblemAsync(free, "**/api/billing/addons/checkout", 409, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"The add-on would change nothing for this plan.","status":409,"detail":"The Enterprise plan puts no limit on projects, so EXTRA_PROJECTS_5 would raise nothing; nothing was charged.","code":"add_on_not_applicable"}""");
        await free.GetByRole(AriaRole.Button, new() { Name = "Buy 5 more projects" }).ClickAsync();
        await Expect(free.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Your plan already puts no limit on what this add-on raises, so it would add nothing. Nothing was charged.");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_page_embedded_at_its_own_address_stays_there_after_confirming_a_checkout()
    {
        // docs/frontend.md: a team serves billing.js from its own page (/team/settings/billing here) with its own success
        // URL. Once the purchase was confirmed the page replaced the address with this host's "/billing/", which the
        // team's app may not serve: a reload or a bookmark then lands elsewhere.
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        var page = await SignedInAsync(subscriber.AccountId);
        // The team's page, as this host's billing page: the request goes to /billing/, the address stays the team's.
        await page.RouteAsync("**/team/settings/billing*", route => route.ContinueAsync(new RouteContinueOptions { Url = new Uri(browser.Pages.BaseAddress, "/billing/").ToString() }));
        await page.EvaluateAsync("""() => sessionStorage.setItem('billing.pendingCheckout', JSON.stringify({ kind: 'plan', plan: 'PRO', name: 'Pro', sessionId: 'cs_test_embedded' }))""");

        await page.GotoAsync("/team/settings/billing?tab=plan&session_id=cs_test_embedded");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("You are now on Pro.");
        Assert.EndsWith("/team/settings/billing?tab=plan", page.Url, StringComparison.Ordinal);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task Credit_that_expires_says_when_in_the_readers_time_zone()
    {
        // CREDITS_50 is "valid a year": the page showed the balance and the purchase but never when that credit expires
        // (the answer's grants carry it), so a customer learnt it from an "Expired" entry.
        static JsonObject Grant(string id, long amount, long remaining, string? expiresAt, bool expired) => new()
        {
            ["grantId"] = id, ["source"] = "pack:CREDITS_50", ["currency"] = "usd", ["amount"] = amount, ["remaining"] = remaining,
            ["grantedAt"] = "2026-11-20T03:00:00Z", ["expiresAt"] = expiresAt, ["expired"] = expired,
        };
        var page = await SignedInRewrittenAsync(NewAccount("credit-expiry"), "**/api/billing/credits*", answer =>
        {
            answer["balances"] = new JsonArray(new JsonObject { ["currency"] = "usd", ["amount"] = 6500 });
            answer["grants"] = new JsonArray(
                Grant("cs:cs_test_year", 5500, 5500, "2027-11-20T03:00:00Z", expired: false),
                Grant("cs:cs_test_forever", 1000, 1000, null, expired: false),
                Grant("cs:cs_test_spent", 1000, 0, "2027-01-01T00:00:00Z", expired: false),
                Grant("cs:cs_test_gone", 1000, 1000, "2026-11-01T00:00:00Z", expired: true));
        }, timeZone: "America/Los_Angeles");
        await Expect(page.Locator("#credit-balance")).ToHaveTextAsync("$65.00");
        var expiry = page.Locator("#credits-body").GetByRole(AriaRole.Listitem).Filter(new() { HasText = "expires" });
        await Expect(expiry).ToHaveCountAsync(1);
        await Expect(expiry).ToHaveTextAsync("$55.00 of it expires Nov 19, 2027, 07:00 PM PST: what is left then is written off.");
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_checkout_refused_because_a_trial_started_meanwhile_offers_checkout_without_the_trial()
    {
        var page = await SignedInAsync(NewAccount("trial-race"));
        // The one checkout call gets the problem the API answers when an app-side trial started while a session with
        // Stripe's trial was being made (that session is expired; a new one comes without the trial).
        await AnswerProblemAsync(page, "**/api/billing/checkout", 409, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Trial already used","status":409,"detail":"The account's trial started while this checkout was being made; start the checkout again.","code":"trial_already_used"}""", times: 1);

        await page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" }).ClickAsync();

        var alert = page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("Your free trial has started meanwhile, so this plan can no longer start with free days. Nothing was charged.");
        await alert.GetByRole(AriaRole.Button, new() { Name = "Continue to Checkout for Pro" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(CheckoutUrl());
    }

    [Fact]
    public async Task Back_from_the_portal_without_a_change_the_page_does_not_move_when_it_stops_checking()
    {
        // The page looks for a change made in the portal for 2 minutes; when none came it emptied its status line
        // ("Welcome back: checking for changes made in the billing portal…"), the line went away and every section moved
        // up under whatever the customer was pressing at that moment.
        var subscriber = await InvoicingTests.SubscribeAsync(Stack, "price_pro_monthly");
        var page = await SignedInAsync(subscriber.AccountId, phone: true);
        await page.Clock.InstallAsync(); // the page's watch, run on demand
        await page.ReloadAsync();
        var manage = page.GetByRole(AriaRole.Button, new() { Name = "Manage billing" });
        await manage.ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Return" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Welcome back: checking for changes made in the billing portal…");
        await Expect(page.Locator("#content [id$='-body'][aria-busy]")).ToHaveCountAsync(0); // every section has loaded
        await Expect(manage).ToBeEnabledAsync();
        var before = (await manage.BoundingBoxAsync())!;

        await page.Clock.RunForAsync(121_000);
        for (var i = 0; i < 10 && await page.Locator("#status").TextContentAsync() != string.Empty; i++)
        {
            await Task.Delay(500); // the watch's last look answers and it waits 10 s more
            await page.Clock.RunForAsync(11_000);
        }

        await Expect(page.Locator("#status")).ToHaveTextAsync(string.Empty); // no longer checking
        var after = (await manage.BoundingBoxAsync())!;
        Assert.Equal((before.X, before.Y), (after.X, after.Y));
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_section_that_fails_to_load_says_why_in_itself_and_the_plans_above_it_do_not_move()
    {
        // A section that could not be loaded (here the invoices, answered 503 after the plans were drawn and usable) put
        // its reason in the page's alert region, above every section: the page moved down under a press begun on a plan.
        HeldAnswer? held = null;
        var page = await SignedInAsync(NewAccount("section-fails"), phone: true, routes: async page =>
        {
            await AnswerProblemAsync(page, "**/api/billing/invoices?*", 503, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Service Unavailable","status":503,"detail":"The invoice store is unavailable."}""");
            held = await HeldAnswer.HoldAsync(page, "**/api/billing/invoices?*", fallBack: true); // then answered as above
        });
        var upgrade = page.GetByRole(AriaRole.Button, new() { Name = "Upgrade to Pro" });
        try
        {
            await Expect(upgrade).ToBeEnabledAsync();
            await Expect(page.Locator("#plan-body[aria-busy], #usage-body[aria-busy], #plans-body[aria-busy]")).ToHaveCountAsync(0);
            await held!.ReleaseWithoutMovingAsync(page, upgrade, () => Expect(page.Locator("#invoices-body[aria-busy]")).ToHaveCountAsync(0));
        }
        finally
        {
            held?.Release();
        }

        var invoices = page.Locator("#invoices-body");
        await Expect(invoices).ToContainTextAsync("Could not be loaded.");
        await Expect(invoices.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The billing service is unavailable right now. Try again in a moment.");
        await Expect(page.Locator("#alert")).ToHaveTextAsync(string.Empty);
        browser.AssertPagesKeptToTheContract();
    }

    [Fact]
    public async Task A_refusal_answered_after_the_account_signed_out_is_not_said_to_the_account_signed_in_next()
    {
        // The page drops what answers for an account signed out meanwhile, but a refusal of a button's action still reached
        // #alert: A pressed "Start the 14-day free trial" and signed out, B signed in, and B's page said A's refusal ("The
        // billing service is unavailable right now. Try again in a moment."). Checkout's own refusals were dropped already.
        HeldAnswer? held = null;
        var page = await SignedInAsync(NewAccount("refused-a"), routes: async page =>
        {
            await AnswerProblemAsync(page, "**/api/billing/trial", 503, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Service Unavailable","status":503,"detail":"The account store is unavailable."}""");
            held = await HeldAnswer.HoldAsync(page, "**/api/billing/trial", fallBack: true); // then refused as above
        });
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Start the 14-day free trial" }).ClickAsync();
            await held!.AskedAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.GetByLabel("Account id").FillAsync(NewAccount("refused-b"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(Plan(page)).ToHaveTextAsync("Free");
        }
        finally
        {
            held?.Release();
        }

        await held.DeliveredAsync(page);
        await Expect(page.Locator("#alert")).ToHaveTextAsync(string.Empty);
        browser.AssertPagesKeptToTheContract();
    }

    /// <summary>Answers the page's calls to <paramref name="route"/> (the first <paramref name="times"/>, or all) with a problem details body, as the app's API would (its CORS header included).</summary>
    private Task AnswerProblemAsync(IPage page, string route, int status, string body, string? retryAfter = null, int? times = null)
    {
        var headers = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = browser.Pages.BaseAddress.GetLeftPart(UriPartial.Authority) };
        if (retryAfter is not null)
        {
            headers["Retry-After"] = retryAfter;
        }

        return page.RouteAsync(route, r => r.FulfillAsync(new RouteFulfillOptions { Status = status, ContentType = "application/problem+json", Headers = headers, Body = body }), new PageRouteOptions { Times = times });
    }

    private static string NewAccount(string what) => $"page-{what}-{Guid.NewGuid().ToString("N")[..10]}";

    private static ILocator Plan(IPage page) => page.Locator("#current-plan");

    private static ILocator Refresh(IPage page) => page.GetByRole(AriaRole.Region, new() { Name = "Usage this period" }).GetByRole(AriaRole.Button, new() { Name = "Refresh" });

    private static ILocator PlanCard(IPage page, string plan) =>
        page.GetByRole(AriaRole.Region, new() { Name = "Plans" }).GetByRole(AriaRole.Listitem).Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = plan, Exact = true }) });

    /// <summary>As <see cref="SignedInAsync"/>, with the API's answers on <paramref name="route"/> changed by <paramref name="rewrite"/>.</summary>
    private Task<IPage> SignedInRewrittenAsync(string accountId, string route, Action<JsonObject> rewrite, string timeZone = "UTC") =>
        SignedInRewrittenAsync(accountId, [(route, rewrite)], timeZone);

    /// <summary>Opens the billing page with the API's answers on each route rewritten on their way to it, signs in as the account and waits for its plan.</summary>
    private async Task<IPage> SignedInRewrittenAsync(string accountId, (string Route, Action<JsonObject> Rewrite)[] rewrites, string timeZone = "UTC")
    {
        var page = await browser.OpenAsync("/billing/", timeZone: timeZone);
        foreach (var (route, rewrite) in rewrites)
        {
            await page.RouteAsync(route, async r =>
            {
                var response = await r.FetchAsync();
                var answer = JsonNode.Parse(await response.TextAsync())!.AsObject();
                rewrite(answer);
                await r.FulfillAsync(new RouteFulfillOptions { Response = response, Body = answer.ToJsonString() });
            });
        }

        await page.GetByLabel("Account id").FillAsync(accountId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Plan(page)).ToBeVisibleAsync();
        return page;
    }

    [Fact]
    public async Task The_limit_banner_names_the_plan_to_upgrade_to_as_the_catalog_does_not_by_its_code()
    {
        // A merchant's catalog names its plans: BASIC shown as "Basic Team" (the same catalog, its display name changed on
        // the way to the page). The banner named it by capitalising the code ("Upgrade to Basic").
        var free = NewAccount("limit-name");
        await RegisterAsync(free);
        Assert.Equal(HttpStatusCode.OK, await RecordAsync(free, "agent_runs", 20));
        var page = await browser.OpenAsync("/billing/");
        await page.RouteAsync("**/api/billing/plans", async route =>
        {
            var response = await route.FetchAsync();
            var catalog = JsonNode.Parse(await response.TextAsync())!;
            catalog["plans"]!.AsArray().Single(p => (string?)p!["code"] == "BASIC")!["displayName"] = "Basic Team";
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = catalog.ToJsonString() });
        });
        await page.GetByLabel("Account id").FillAsync(free);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.Locator("[data-limit-reached=agent_runs]")).ToHaveTextAsync("You have used all 20 agent runs your plan includes this period. Upgrade to Basic Team to get more.");
    }

    /// <summary>Opens the billing page in a fresh browser, signs in as the account and waits for its plan.</summary>
    /// <param name="routes">Requests to hold or change, set up before the page signs in and loads.</param>
    private async Task<IPage> SignedInAsync(string accountId, bool phone = false, Func<IPage, Task>? routes = null)
    {
        var page = await browser.OpenAsync("/billing/", phone);
        if (routes is not null) await routes(page);
        await page.GetByLabel("Account id").FillAsync(accountId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Plan(page)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Refresh" })).ToBeVisibleAsync();
        return page;
    }

    /// <summary>On the emulator's Checkout page: pays with the succeeding test card as a person would, and waits to be back.</summary>
    private static async Task PayOnCheckoutAsync(IPage page)
    {
        await Expect(page).ToHaveURLAsync(CheckoutUrl());
        await page.GetByLabel("Email").FillAsync("buyer@example.com");
        await page.GetByLabel("Card").SelectOptionAsync("succeeding");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(BackOnTheBillingPage());
    }

    private async Task RegisterAsync(string accountId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("/api/accounts/" + accountId, UriKind.Relative));
        request.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
        using var response = await Stack.App.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A development token, as the page host or a host app's OIDC provider would hand out.</summary>
    private static string Token(string accountId, bool admin = false)
    {
        var auth = Billing.Cli.Tokens.DevelopmentAuthSettings.FindFrom(RepoPaths.RepoRoot)!;
        return Billing.Cli.Tokens.DevelopmentTokenFactory.Create(auth.TokenRequest(accountId, admin));
    }

    /// <summary>An operator's credit adjustment through the admin API (admin development token).</summary>
    private async Task AdjustCreditAsync(string accountId, long amount, string reason)
    {
        var token = Token("ops-page-tests", admin: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/billing/admin/accounts/{accountId}/credits", UriKind.Relative))
        {
            Content = JsonContent.Create(new { amount, currency = "usd", reason, idempotencyKey = Guid.NewGuid().ToString() }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Stack.App.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Records usage as the product's backend does (service API key); answers the status.</summary>
    private async Task<HttpStatusCode> RecordAsync(string accountId, string meter, long quantity)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/usage", UriKind.Relative))
        {
            Content = JsonContent.Create(new { accountId, meter, quantity, idempotencyKey = Guid.NewGuid().ToString() }),
        };
        request.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
        using var response = await Stack.App.Http.SendAsync(request);
        return response.StatusCode;
    }

    [GeneratedRegex("/checkout/cs_")]
    private static partial Regex CheckoutUrl();

    /// <summary>Back on the billing page: /billing/success?session_id=... until the page has confirmed the purchase, then /billing/.</summary>
    [GeneratedRegex(@"/billing/(success\?session_id=cs_\w+)?$")]
    private static partial Regex BackOnTheBillingPage();
}
