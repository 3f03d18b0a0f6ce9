using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using Billing.Application.Invoicing;
using Billing.Application.StripeEvents;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Subscriptions;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;
using Stripe;

namespace Billing.EndToEnd.Tests.Invoicing;

/// <summary>
/// Usage invoicing end to end: accounts subscribe through the Stripe emulator, their products record usage through
/// the API, the period closes, the timer (every 2 s here) queues one job per closed period and the jobs invoice in
/// Stripe. Expected amounts are calculated here by hand from the development catalog: PRO includes 5,000 agent runs
/// and charges 2 cents per run beyond; its tokens include 10,000,000 and the first tier beyond is 500 flat. The tests
/// with the timer share one app and emulator (<see cref="TimerStackFixture"/>), each with its own accounts.
/// </summary>
[Trait(LongClassesFirst.Trait, LongClassesFirst.LongRunning)]
public sealed class InvoicingTests(InvoicingTests.TimerStackFixture fixture) : IClassFixture<InvoicingTests.TimerStackFixture>
{
    [Fact]
    public async Task A_closed_period_gets_exactly_one_finalized_invoice_per_account_with_overage_and_none_without_one_below_Stripes_minimum_paid_by_Stripe()
    {
        var stack = fixture.Stack;
        var accounts = await Task.WhenAll(
            SubscribeAsync(stack, "price_pro_monthly"),
            SubscribeAsync(stack, "price_pro_monthly"),
            SubscribeAsync(stack, "price_pro_monthly"),
            SubscribeAsync(stack, "price_basic_monthly"),
            SubscribeAsync(stack, "price_pro_monthly"),
            SubscribeAsync(stack, "price_pro_monthly"));
        var (overage, runsOnly, within, basic, paused, small) = (accounts[0], accounts[1], accounts[2], accounts[3], accounts[4], accounts[5]);

        // The merchant pauses one subscription's collection in Stripe, voiding its invoices: its usage invoice is never collected
        var pausedSubscription = (await stack.Data.AccountAsync(paused.AccountId))!.Subscription!.SubscriptionId;
        await stack.Stripe.V1.Subscriptions.UpdateAsync(pausedSubscription, new SubscriptionUpdateOptions { PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = "void" } });
        await WaitUntilQuietAsync(stack, paused.AccountId);
        await OpenPeriodsAsync(stack, accounts);

        await RecordAsync(stack, paused.AccountId, "agent_runs", 5_100);
        await RecordAsync(stack, overage.AccountId, "agent_runs", 5_250);
        await RecordAsync(stack, overage.AccountId, "tokens", 10_000_001);
        await RecordAsync(stack, runsOnly.AccountId, "agent_runs", 5_050);
        await RecordAsync(stack, small.AccountId, "agent_runs", 5_001);
        await RecordAsync(stack, within.AccountId, "agent_runs", 4_000);
        await RecordAsync(stack, basic.AccountId, "agent_runs", 400);
        await ClosePeriodsNowAsync(stack, accounts);

        var first = await WaitForInvoiceAsync(stack, overage);
        var second = await WaitForInvoiceAsync(stack, runsOnly);
        var belowMinimum = await WaitForInvoiceAsync(stack, small);
        var voided = (await Eventually.GetAsync(
            () => InvoicesOfAsync(stack, paused.CustomerId),
            invoices => invoices.Any(i => i.Status == "void"),
            "the paused subscription's usage invoice, voided",
            TimeSpan.FromSeconds(90))).Single();
        await Task.Delay(TimeSpan.FromSeconds(6)); // several more timer runs: nothing new

        // Independent calculation: 250 runs x 2 = 500; 1 token beyond 10,000,000 falls in the first tier: 500 flat.
        AssertInvoice(first, ("agent_runs", 500), ("tokens", 500));
        AssertInvoice(second, ("agent_runs", 100));
        Assert.Single(await InvoicesOfAsync(stack, overage.CustomerId));
        Assert.Single(await InvoicesOfAsync(stack, runsOnly.CustomerId));
        Assert.Single(await InvoicesOfAsync(stack, small.CustomerId));

        // 1 run beyond PRO's 5,000: 2 cents, below Stripe's 50-cent minimum charge in usd. Stripe's API reference
        // (Invoices, amount_due): "If the amount due for the invoice is less than Stripe's minimum allowed charge per
        // currency, the invoice is automatically marked paid, and we add the amount due to the customer's credit balance
        // which is applied to the next invoice." Nothing is charged now; the customer's next invoice is due 2 cents more.
        Assert.Equal(("paid", 2L, 0L, 0L, (long?)2), (belowMinimum.Status, belowMinimum.Total, belowMinimum.AmountDue, belowMinimum.AmountPaid, belowMinimum.EndingBalance));
        Assert.Equal(2, (await stack.Stripe.V1.Customers.GetAsync(small.CustomerId)).Balance);
        var listedSmall = (await Eventually.GetAsync(
            async () => (await GetInvoicesAsync(stack, small.AccountId)).GetProperty("invoices").EnumerateArray().SingleOrDefault(),
            i => i.ValueKind == JsonValueKind.Object,
            "the invoice below the minimum listed",
            TimeSpan.FromSeconds(30)));
        Assert.Equal(
            (belowMinimum.Id, "paid", 2L, 0L, 0L),
            (listedSmall.GetProperty("id").GetString(), listedSmall.GetProperty("status").GetString(), listedSmall.GetProperty("amount").GetInt64(), listedSmall.GetProperty("stripeAmountDue").GetInt64(), listedSmall.GetProperty("stripeAmountPaid").GetInt64()));
        Assert.Empty(await InvoicesOfAsync(stack, within.CustomerId));
        Assert.Empty(await InvoicesOfAsync(stack, basic.CustomerId));
        Assert.Equal(("void", 200L, false, 0L), (voided.Status, voided.Total, voided.AutoAdvance, voided.AmountPaid)); // 100 runs x 2, never collected
        Assert.Single(await InvoicesOfAsync(stack, paused.CustomerId));
        await Eventually.UntilAsync(
            async () => (await GetInvoicesAsync(stack, paused.AccountId)).GetProperty("invoices").EnumerateArray().SingleOrDefault() is { ValueKind: JsonValueKind.Object } listedVoid
                        && listedVoid.GetProperty("status").GetString() == "void",
            "the paused subscription's invoice listed as void",
            TimeSpan.FromSeconds(30));

        // The caller sees it, with the period and lines; a redelivered job changes nothing.
        var listed = await GetInvoicesAsync(stack, overage.AccountId);
        var invoice = Assert.Single(listed.GetProperty("invoices").EnumerateArray());
        Assert.Equal(first.Id, invoice.GetProperty("id").GetString());
        Assert.Equal((1_000L, 1_000L, 0L), (invoice.GetProperty("amount").GetInt64(), invoice.GetProperty("stripeAmountDue").GetInt64(), invoice.GetProperty("stripeAmountPaid").GetInt64()));
        Assert.Equal(first.HostedInvoiceUrl, invoice.GetProperty("hostedInvoiceUrl").GetString());
        await SendJobAgainAsync(stack, overage.AccountId, first);
        Assert.Single(await InvoicesOfAsync(stack, overage.CustomerId));

        // The customer pays it: invoice.paid reaches the app, which records Stripe's new status on the run.
        Assert.Equal("open", invoice.GetProperty("status").GetString());
        await stack.Stripe.V1.Invoices.PayAsync(first.Id);
        await Eventually.UntilAsync(
            async () => (await GetInvoicesAsync(stack, overage.AccountId)).GetProperty("invoices")[0].GetProperty("status").GetString() == "paid",
            "the paid invoice listed as paid",
            TimeSpan.FromSeconds(30));
        Assert.Equal(1_000, (await GetInvoicesAsync(stack, overage.AccountId)).GetProperty("invoices")[0].GetProperty("stripeAmountPaid").GetInt64());

        // The operator voids the other one in Stripe: invoice.voided reaches the app, and the run shows it void.
        await stack.Stripe.V1.Invoices.VoidInvoiceAsync(second.Id);
        await Eventually.UntilAsync(
            async () => (await GetInvoicesAsync(stack, runsOnly.AccountId)).GetProperty("invoices")[0].GetProperty("status").GetString() == "void",
            "the voided invoice listed as void",
            TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_upgrade_during_the_period_keeps_the_overage_run_up_before_it_on_the_invoice()
    {
        var stack = fixture.Stack;
        var subscriber = await SubscribeAsync(stack, "price_pro_monthly");
        var accountId = AccountId.Parse(subscriber.AccountId);
        await OpenPeriodsAsync(stack, subscriber);
        await RecordAsync(stack, subscriber.AccountId, "agent_runs", 5_250); // 250 beyond PRO's 5,000

        // The upgrade as the subscription webhook stores it, within the period: ENTERPRISE has unlimited runs and no
        // overage. Priced at the last plan alone, the period would owe nothing.
        await stack.Data.Accounts.UpdateAsync(accountId, a => a with
        {
            Subscription = a.Subscription! with { PlanCode = Billing.Domain.Plans.PlanCode.Parse("ENTERPRISE"), PriceId = "price_enterprise_monthly" },
        }, CancellationToken.None);
        await RecordAsync(stack, subscriber.AccountId, "agent_runs", 10_000);
        await ClosePeriodsNowAsync(stack, subscriber);

        var invoice = await WaitForInvoiceAsync(stack, subscriber);

        AssertInvoice(invoice, ("agent_runs", 500)); // PRO's 250 runs x 2 cents; ENTERPRISE's 10,000 are not billed
        Assert.StartsWith("agent_runs: 250 beyond the included amounts of PRO then ENTERPRISE (15,250 used)", Assert.Single(invoice.Lines.Data).Description, StringComparison.Ordinal);
        Assert.Equal("Usage beyond the PRO then ENTERPRISE plans", invoice.Description);
        // The run records the invoice just after Stripe has it: ask until it is listed.
        var listed = (await Eventually.GetAsync(
            async () => (await GetInvoicesAsync(stack, subscriber.AccountId)).GetProperty("invoices").EnumerateArray().ToList(),
            invoices => invoices.Count == 1,
            "the invoice listed",
            TimeSpan.FromSeconds(30))).Single();
        Assert.Equal(("ENTERPRISE", "PRO then ENTERPRISE", 500L), (listed.GetProperty("plan").GetString(), listed.GetProperty("plans").GetString(), listed.GetProperty("amount").GetInt64()));
    }

    [Fact]
    public async Task A_usage_invoice_is_the_customers_own_charged_to_the_subscriptions_card_and_a_kept_draft_deleted_in_Stripe_ends_its_run()
    {
        var stack = fixture.Stack;
        var subscriber = await SubscribeAsync(stack, "price_pro_monthly");
        var subscriptionId = (await stack.Data.AccountAsync(subscriber.AccountId))!.Subscription!.SubscriptionId;
        await stack.Stripe.V1.Subscriptions.UpdateAsync(subscriptionId, new SubscriptionUpdateOptions { PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = "keep_as_draft" } });
        await WaitUntilQuietAsync(stack, subscriber.AccountId);
        await OpenPeriodsAsync(stack, subscriber);
        await RecordAsync(stack, subscriber.AccountId, "agent_runs", 5_100);
        await ClosePeriodsNowAsync(stack, subscriber);

        // Kept a draft for the merchant (collection paused), and listed so once its run is recorded
        var draft = (await Eventually.GetAsync(
            () => InvoicesOfAsync(stack, subscriber.CustomerId),
            invoices => invoices.Count == 1,
            "the paused subscription's usage invoice, kept a draft",
            TimeSpan.FromSeconds(90))).Single();
        await Eventually.UntilAsync(
            async () => (await GetInvoicesAsync(stack, subscriber.AccountId)).GetProperty("invoices").EnumerateArray().SingleOrDefault() is { ValueKind: JsonValueKind.Object } listed
                        && listed.GetProperty("status").GetString() == "draft",
            "the kept draft listed as a draft",
            TimeSpan.FromSeconds(30));

        // Not attached to the subscription (Stripe refuses that with the pending items left off), charged as it would be
        draft = await stack.Stripe.V1.Invoices.GetAsync(draft.Id); // as the run left it (it was listed above as soon as Stripe had it)
        var subscription = await stack.Stripe.V1.Subscriptions.GetAsync(subscriptionId);
        Assert.Equal(("draft", 200L), (draft.Status, draft.Total)); // 100 runs x 2
        Assert.Null(draft.Parent);
        Assert.False(string.IsNullOrEmpty(subscription.DefaultPaymentMethodId));
        Assert.Equal(subscription.DefaultPaymentMethodId, draft.DefaultPaymentMethodId);

        // The merchant deletes the draft: invoice.deleted ends the run, and no other invoice is made for the period
        await stack.Stripe.V1.Invoices.DeleteAsync(draft.Id);
        await Eventually.UntilAsync(
            async () => (await GetInvoicesAsync(stack, subscriber.AccountId)).GetProperty("invoices")[0].GetProperty("status").GetString() == "deleted",
            "the deleted draft listed as deleted",
            TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(6)); // several more timer runs: nothing new
        Assert.Empty(await InvoicesOfAsync(stack, subscriber.CustomerId));
        Assert.Single((await GetInvoicesAsync(stack, subscriber.AccountId)).GetProperty("invoices").EnumerateArray());
    }

    [Fact]
    public async Task A_job_that_fails_at_every_step_boundary_still_makes_exactly_one_invoice_with_one_item_per_meter()
    {
        string[] points = ["Computed", "DraftCreatedUnsaved", "DraftCreated", "ItemsCreatedUnsaved", "ItemsCreated", "FinalizedUnsaved", "Finalized"];
        await using var stack = await StartAsync(settings =>
        {
            for (var i = 0; i < points.Length; i++)
            {
                settings[$"Billing__Invoicing__FailOnceAt__{i}"] = points[i];
            }

            settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = (points.Length + 2).ToString(CultureInfo.InvariantCulture);

            // The n-th delivery fails at the n-th point, counted by the run's attempts: a second job for the same period
            // (the timer queues one on each run until the period is invoiced) would take an attempt and skip a point.
            // So the timer never fires here and the test queues the period's one job itself.
            settings["MONTHLY_INVOICING_SCHEDULE"] = "0 0 0 1 1 *";
        });
        var subscriber = await SubscribeAsync(stack, "price_pro_monthly");
        var periodStart = await OpenPeriodsAsync(stack, subscriber);
        await RecordAsync(stack, subscriber.AccountId, "agent_runs", 5_100);
        await RecordAsync(stack, subscriber.AccountId, "tokens", 10_000_500);
        await ClosePeriodsNowAsync(stack, subscriber);
        await SendJobAsync(stack, new InvoiceJob(AccountId.Parse(subscriber.AccountId), UsagePeriodKey.ForSubscriptionPeriod(periodStart)));

        var invoice = await WaitForInvoiceAsync(stack, subscriber, TimeSpan.FromSeconds(90));

        // Stripe has the invoice open from the 6th delivery on, which finalizes it and then fails to save the run; the 7th
        // fails after saving it and the 8th records the run: the job is done when its last delivery says so, not when
        // Stripe shows the invoice final.
        foreach (var point in points)
        {
            await stack.App.WaitForOutputAsync($"Injected fault at {point} of run", timeout: TimeSpan.FromSeconds(60));
        }

        await stack.App.WaitForOutputAsync($"Invoice run {invoice.Metadata["billing_run"]}: invoiced", timeout: TimeSpan.FromSeconds(60));
        AssertInvoice(invoice, ("agent_runs", 200), ("tokens", 500));
        Assert.Single(await InvoicesOfAsync(stack, subscriber.CustomerId));
        var items = await stack.Stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Invoice = invoice.Id, Limit = 100 });
        Assert.Equal(2, items.Data.Count);
    }

    [Fact]
    public async Task A_draft_left_for_an_operator_that_they_correct_finalize_and_get_paid_is_recorded_and_listed_as_Stripe_billed_it()
    {
        await using var stack = await StartAsync(settings =>
        {
            // The first delivery stops once the items are on the draft, before its check, so the operator's line lands
            // before it. Each job is delivered once (a failed one goes to the poison queue, not back to the run before the
            // operator acted); the timer never fires and the test queues the period's job itself, as the daily sweep would.
            settings["Billing__Invoicing__FailOnceAt__0"] = "ItemsCreated";
            settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "1";
            settings["MONTHLY_INVOICING_SCHEDULE"] = "0 0 0 1 1 *";
        });
        var subscriber = await SubscribeAsync(stack, "price_pro_monthly");
        var periodStart = await OpenPeriodsAsync(stack, subscriber);
        await RecordAsync(stack, subscriber.AccountId, "agent_runs", 5_100); // 100 beyond PRO's 5,000: 200
        var periodEnd = await ClosePeriodsNowAsync(stack, subscriber);
        var job = new InvoiceJob(AccountId.Parse(subscriber.AccountId), UsagePeriodKey.ForSubscriptionPeriod(periodStart));
        await SendJobAsync(stack, job);
        await stack.App.WaitForOutputAsync($"Injected fault at ItemsCreated of run {job.RunId}", timeout: TimeSpan.FromSeconds(60));
        var draft = Assert.Single(await InvoicesOfAsync(stack, subscriber.CustomerId));
        Assert.Equal(("draft", 200L), (draft.Status, draft.Total));

        // An operator adds a line in the dashboard: the next job refuses to finalize the draft (finalizing collects)
        await stack.Stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = subscriber.CustomerId, Invoice = draft.Id, Amount = 99, Currency = "usd", Description = "Set-up fee" });
        await SendJobAsync(stack, job);
        await stack.App.WaitForOutputAsync($"Stripe draft invoice {draft.Id} totals 299 but run {job.RunId} computed 200", timeout: TimeSpan.FromSeconds(60));
        Assert.Equal("draft", (await stack.Stripe.V1.Invoices.GetAsync(draft.Id)).Status);

        // The operator finalizes it and the customer pays it; its events reach the app first
        await stack.Stripe.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        var paid = await stack.Stripe.V1.Invoices.PayAsync(draft.Id);
        Assert.Equal(("paid", 299L), (paid.Status, paid.Total));
        await WaitUntilQuietAsync(stack, subscriber.AccountId);

        // The period's next job records the invoice as Stripe has it: status, number, page and the 299 it billed
        await SendJobAsync(stack, job);
        await stack.App.WaitForOutputAsync($"Invoice run {job.RunId}: invoiced", timeout: TimeSpan.FromSeconds(60));
        await stack.App.WaitForOutputAsync($"Invoice run {job.RunId}: Stripe invoice {draft.Id} (paid) bills 299 usd, not the 200 the run computed", timeout: TimeSpan.FromSeconds(10));
        var listed = Assert.Single((await GetAsync(stack, subscriber.AccountId, "/api/billing/invoices")).GetProperty("invoices").EnumerateArray());
        Assert.Equal(
            (draft.Id, "paid", paid.Number, 299L, paid.HostedInvoiceUrl),
            (listed.GetProperty("id").GetString(), listed.GetProperty("status").GetString(), listed.GetProperty("number").GetString(), listed.GetProperty("amount").GetInt64(), listed.GetProperty("hostedInvoiceUrl").GetString()));
        var run = await GetAsync(stack, subscriber.AccountId, "/api/billing/admin/invoices/runs/" + draft.Id, admin: true);
        Assert.Equal(("recorded", 200L, 299L), (run.GetProperty("step").GetString(), run.GetProperty("total").GetInt64(), run.GetProperty("amountDue").GetInt64()));
        var month = periodStart.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture); // the month the period started in
        var entry = (await Eventually.GetAsync(
            async () => (await GetAsync(stack, subscriber.AccountId, $"/api/billing/admin/invoices?period={month}&status=paid&limit=100", admin: true)).GetProperty("invoices").EnumerateArray()
                .SingleOrDefault(i => i.GetProperty("accountId").GetString() == subscriber.AccountId),
            i => i.ValueKind == JsonValueKind.Object,
            "the operators' invoice listing showing the paid invoice",
            TimeSpan.FromSeconds(30))).GetProperty("invoice");
        Assert.Equal((draft.Id, 299L), (entry.GetProperty("id").GetString(), entry.GetProperty("amount").GetInt64()));
        var closing = await stack.Data.Usage.ListPeriodsEndingAsync(DateOnly.FromDateTime(periodEnd.UtcDateTime), CancellationToken.None);
        Assert.DoesNotContain(closing, p => p.AccountId == job.AccountId && p.PeriodKey == job.PeriodKey); // invoiced: the daily sweep no longer queues it
    }

    private static Task<WebhookStack> StartAsync(Action<Dictionary<string, string?>>? configure = null) =>
        WebhookStack.StartAsync(configure: settings =>
        {
            settings["MONTHLY_INVOICING_SCHEDULE"] = "*/2 * * * * *";
            settings["Billing__Invoicing__LookbackDays"] = "2";
            configure?.Invoke(settings);
        });

    internal sealed record Subscriber(string AccountId, string CustomerId);

    /// <summary>Subscribes an account through the emulator's Checkout and waits for the webhook to make it active.</summary>
    internal static async Task<Subscriber> SubscribeAsync(WebhookStack stack, string priceId)
    {
        var accountId = "inv-" + Guid.NewGuid().ToString("N")[..12];
        var customer = await stack.CreateCustomerAsync(accountId);
        await stack.CheckoutAsync(accountId, customer.Id, priceId);
        await stack.Data.WaitForAccountAsync(accountId, a => a.Subscription?.Status == SubscriptionStatus.Active, "active");

        await WaitUntilQuietAsync(stack, accountId);
        return new Subscriber(accountId, customer.Id);
    }

    /// <summary>
    /// Later webhooks of a Stripe change (invoice.paid, subscription.updated) would restore Stripe's period: lets them land
    /// first. Every event Stripe has made so far for the account's customer is applied (or ignored) by the app, however
    /// loaded the machine; then the emulator's events are listed again, until a listing shows none not yet awaited: applying
    /// an event can make the app call Stripe (a duplicate subscription cancelled and refunded), which makes more events
    /// before the one applied is final. The emulator makes its events during the request that causes them (renewals aside),
    /// so once none is new no webhook for the customer is on its way.
    /// </summary>
    internal static async Task WaitUntilQuietAsync(WebhookStack stack, string accountId)
    {
        var customerId = (await stack.Data.AccountAsync(accountId))!.StripeCustomerId;
        var awaited = new HashSet<string>(StringComparer.Ordinal);
        bool any;
        do
        {
            any = false;
            await foreach (var made in stack.Stripe.V1.Events.ListAutoPagingAsync(new EventListOptions { Limit = 100 }))
            {
                if (made.Data.RawObject["customer"]?.ToString() == customerId && awaited.Add(made.Id))
                {
                    any = true;
                    await stack.Data.WaitForEventAsync(made.Id, e => e.Status.IsFinal(), "final before the periods are shortened");
                }
            }
        }
        while (any);
    }

    /// <summary>
    /// Gives each subscriber a current period that Stripe does not know (as a renewal would: a month ending a day from
    /// now, so on another closing day than the one it is then ended on), for the test to record its usage in without a
    /// deadline; <see cref="ClosePeriodsNowAsync"/> then ends it.
    /// Its key is <c>UsagePeriodKey.ForSubscriptionPeriod</c> of the start returned. Not one ending seconds from now with the
    /// usage recorded after: under load a record came after that end and was refused or counted in the next period.
    /// </summary>
    /// <returns>The start of the periods.</returns>
    internal static async Task<DateTimeOffset> OpenPeriodsAsync(WebhookStack stack, params Subscriber[] subscribers)
    {
        var periodEnd = DateTimeOffset.UtcNow.AddDays(1);
        foreach (var subscriber in subscribers)
        {
            await stack.Data.Accounts.UpdateAsync(AccountId.Parse(subscriber.AccountId), a => a with
            {
                Subscription = a.Subscription! with { CurrentPeriodStart = periodEnd.AddMonths(-1), CurrentPeriodEnd = periodEnd },
            }, CancellationToken.None);
        }

        return periodEnd.AddMonths(-1);
    }

    /// <summary>
    /// Ends the periods <see cref="OpenPeriodsAsync"/> opened now, once the test has recorded its usage: only the end moves
    /// (the key, from the start, stays), in the stored subscription and in the usage counters with their closing-day entry
    /// (<see cref="PeriodEndMove.Ended"/>, as the app moves them when Stripe ends a period early), so the invoicing timer
    /// finds them closed.
    /// </summary>
    /// <returns>The moment the periods ended.</returns>
    internal static async Task<DateTimeOffset> ClosePeriodsNowAsync(WebhookStack stack, params Subscriber[] subscribers)
    {
        var periodEnd = DateTimeOffset.UtcNow;
        foreach (var subscriber in subscribers)
        {
            var accountId = AccountId.Parse(subscriber.AccountId);
            var closed = await stack.Data.Accounts.UpdateAsync(accountId, a => a with
            {
                Subscription = a.Subscription! with { CurrentPeriodEnd = periodEnd },
            }, CancellationToken.None);
            var key = UsagePeriodKey.ForSubscriptionPeriod(closed.Subscription!.CurrentPeriodStart!.Value);
            await stack.Data.Usage.MovePeriodEndAsync(accountId, key, PeriodEndMove.Ended(periodEnd, closed.Version), CancellationToken.None);
        }

        return periodEnd;
    }

    /// <summary>
    /// Queues the invoicing job of the subscriber's period <see cref="ClosePeriodsNowAsync"/> ended at <paramref name="periodEnd"/>
    /// as an operator does (<c>POST /api/billing/admin/invoices/runs</c> for the account and the month the period ended in,
    /// <c>billing invoices run --account</c>): the way to invoice a closed period at once without a timer that fires every
    /// few seconds (and reads every closing day of its look-back window each time) beside tests that do not need it.
    /// </summary>
    internal static async Task RunInvoicingAsync(WebhookStack stack, Subscriber subscriber, DateTimeOffset periodEnd)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/billing/admin/invoices/runs", UriKind.Relative))
        {
            Content = JsonContent.Create(new { period = periodEnd.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture), dryRun = false, accountId = subscriber.AccountId }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.For(subscriber.AccountId, admin: true));
        using var response = await stack.App.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("queued").EnumerateArray());
    }

    internal static async Task RecordAsync(WebhookStack stack, string accountId, string meter, long quantity)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/usage", UriKind.Relative))
        {
            Content = JsonContent.Create(new { accountId, meter, quantity, idempotencyKey = Guid.NewGuid().ToString() }),
        };
        request.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
        using var response = await stack.App.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("periodEnd").GetDateTimeOffset() < DateTimeOffset.UtcNow.AddDays(2), $"usage went to a period that OpenPeriodsAsync did not open: {body}");
    }

    private static async Task<Invoice> WaitForInvoiceAsync(WebhookStack stack, Subscriber subscriber, TimeSpan? timeout = null) =>
        (await Eventually.GetAsync(
            () => InvoicesOfAsync(stack, subscriber.CustomerId),
            invoices => invoices.Any(i => i.Status == "open" || i.Status == "paid"),
            $"a finalized usage invoice for {subscriber.AccountId}",
            timeout ?? TimeSpan.FromSeconds(90))).Single();

    /// <summary>The customer's usage invoices (those a billing run made), any status.</summary>
    internal static async Task<List<Invoice>> InvoicesOfAsync(WebhookStack stack, string customerId)
    {
        var page = await stack.Stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customerId, Limit = 100 });
        return [.. page.Data.Where(i => i.Metadata.ContainsKey("billing_run"))];
    }

    private static void AssertInvoice(Invoice invoice, params (string Meter, long Amount)[] lines)
    {
        Assert.Equal("open", invoice.Status);
        Assert.False(string.IsNullOrEmpty(invoice.Number));
        Assert.Equal(lines.Sum(l => l.Amount), invoice.Total);
        Assert.Equal(lines.Select(l => (l.Meter, l.Amount)).Order(), invoice.Lines.Data.Select(l => (l.Metadata["meter"], l.Amount)).Order());
    }

    private static Task<JsonElement> GetInvoicesAsync(WebhookStack stack, string accountId) => GetAsync(stack, accountId, "/api/billing/invoices");

    /// <summary>A GET of the app's API as <paramref name="accountId"/>; <paramref name="admin"/>: with the admin role.</summary>
    [Fact]
    public async Task The_callers_invoices_page_with_a_cursor_that_only_their_own_listing_takes()
    {
        var stack = fixture.Stack;
        var owner = "inv-pages-" + Guid.NewGuid().ToString("N")[..10];
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var month = 0; month < 3; month++)
        {
            var period = UsagePeriod.CalendarMonth(start.AddMonths(month));
            await stack.Data.InvoiceRuns.CreateAsync(
                new InvoiceRun
                {
                    AccountId = AccountId.Parse(owner),
                    PeriodKey = period.Key,
                    PeriodStart = period.Start,
                    PeriodEnd = period.End,
                    Plan = Billing.Domain.Plans.PlanCode.Parse("PRO"),
                    Currency = Billing.Domain.Pricing.Currency.Parse("usd"),
                    Lines = [],
                    Step = InvoiceRunStep.Recorded,
                    StripeInvoiceId = $"in_pages_{month}_{Guid.NewGuid():N}",
                    Status = "paid",
                    CreatedAt = period.End,
                    UpdatedAt = period.End,
                },
                CancellationToken.None);
        }

        var first = await GetAsync(stack, owner, "/api/billing/invoices?limit=2");
        var cursor = first.GetProperty("nextCursor").GetString()!;
        var second = await GetAsync(stack, owner, "/api/billing/invoices?limit=2&cursor=" + Uri.EscapeDataString(cursor));
        var everything = await GetAsync(stack, owner, "/api/billing/invoices");

        Assert.Equal([start.AddMonths(2), start.AddMonths(1)], first.GetProperty("invoices").EnumerateArray().Select(PeriodStart));
        Assert.Equal([start], second.GetProperty("invoices").EnumerateArray().Select(PeriodStart));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        Assert.Equal((3, JsonValueKind.Null), (everything.GetProperty("invoices").GetArrayLength(), everything.GetProperty("nextCursor").ValueKind)); // 100 a page unless asked
        Assert.Empty(OpenApiContract.Check("get", "/api/billing/invoices", System.Net.HttpStatusCode.OK, "application/json", first.GetRawText()));

        // The owner's cursor sent by another account, and a limit out of range: 400s naming the field.
        foreach (var (account, query, field) in new[] { ("inv-other-" + Guid.NewGuid().ToString("N")[..10], "?limit=2&cursor=" + Uri.EscapeDataString(cursor), "cursor"), (owner, "?limit=101", "limit") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/billing/invoices" + query, UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.For(account));
            using var response = await stack.App.Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
            Assert.Equal([field], JsonDocument.Parse(body).RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        }

        static DateTimeOffset PeriodStart(JsonElement invoice) => invoice.GetProperty("period").GetProperty("start").GetDateTimeOffset();
    }

    private static async Task<JsonElement> GetAsync(WebhookStack stack, string accountId, string path, bool admin = false)
    {
        var token = DevelopmentTokens.For(accountId, admin);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await stack.App.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// Queues the job of <paramref name="invoice"/>'s run again and waits until the host has processed that message (deleted
    /// it after its function succeeded): whatever the delivery did is done, whatever jobs the timer queued meanwhile.
    /// </summary>
    private static async Task SendJobAgainAsync(WebhookStack stack, string accountId, Invoice invoice)
    {
        var runId = invoice.Metadata["billing_run"];
        var (queue, messageId) = await SendJobAsync(stack, new InvoiceJob(AccountId.Parse(accountId), UsagePeriodKey.Parse(runId[(runId.LastIndexOf(':') + 1)..])));
        await Eventually.UntilAsync(() => queue.IsGoneAsync(messageId), $"the job of run {runId} sent again, processed", TimeSpan.FromSeconds(30));
    }

    private static async Task<(QueueClient Queue, string MessageId)> SendJobAsync(WebhookStack stack, InvoiceJob job)
    {
        var queue = TestQueues.Client(stack.Emulators.StorageConnectionString, stack.Settings["INVOICE_JOBS_QUEUE"]!);
        return (queue, (await queue.SendMessageAsync(job.ToJson())).Value.MessageId);
    }

    /// <summary>One app and emulator whose invoicing timer fires every 2 s, looking 2 days back.</summary>
    public sealed class TimerStackFixture : SharedStackFixture
    {
        private protected override Task<WebhookStack> StartAsync() => InvoicingTests.StartAsync();
    }
}
