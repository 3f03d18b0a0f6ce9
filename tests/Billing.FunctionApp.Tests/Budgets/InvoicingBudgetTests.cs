using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Billing.Application.Credits;
using Billing.Application.Invoicing;
using Billing.Application.Outcomes;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Pricing;
using Billing.FunctionApp.Api;
using Billing.FunctionApp.Invoicing;
using Billing.FunctionApp.Metering;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.FunctionApp.Tests.Budgets;

/// <summary>
/// What an invoicing job, its invoice's events and a renewal's failed payment cost once a period has closed
/// (docs/data-model.md, "Cost per function"): a fixture of its own, since its clocks move past the period's end.
/// </summary>
public sealed partial class InvoicingBudgetTests(BudgetApp app) : IClassFixture<BudgetApp>
{
    private static readonly Currency Usd = Currency.Parse("usd");

    private readonly string _account = "budget-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task A_job_delivered_again_for_a_run_already_invoiced_reads_the_run_and_its_index_entry_and_writes_nothing()
    {
        var job = await OverageJobAsync();
        var invoiced = await app.RequestsOfAsync(() => app.RunAsync<InvoiceAccountFunction>(f => f.Run(job, 1, default)));
        Assert.Contains("stripe POST /v1/invoices", invoiced); // an overage invoice

        var redelivered = await app.RequestsOfAsync(() => app.RunAsync<InvoiceAccountFunction>(f => f.Run(job, 2, default)));

        Assert.Equal(["read invoice-run", "read invoice-entry"], redelivered);
    }

    [Fact]
    public async Task A_job_reads_the_subscription_for_a_missed_renewal_for_the_draft_and_just_before_finalizing_and_an_empty_credit_book_twice()
    {
        var job = await OverageJobAsync();

        var invoiced = await app.RequestsOfAsync(() => app.RunAsync<InvoiceAccountFunction>(f => f.Run(job, 1, default)));

        Assert.Equal(
            [
                "read credits", "read credit-entry", // no book (no earlier invoice to ask about), the spend not posted before
                "read credits", // nothing to spend on that read: read again, so credit granted meanwhile is spent
                "read invoice-run", "replace invoice-run", // no credit applied, saved
            ],
            invoiced.SkipWhile(r => r != "read credits").TakeWhile(r => !r.StartsWith("stripe ", StringComparison.Ordinal)));

        Assert.Equal(
            [
                "stripe GET /v1/subscriptions/{id}", // the renewal the account has not heard of (Stripe's own clock stood still)
                "stripe GET /v1/invoices", "stripe GET /v1/subscriptions/{id}", "stripe POST /v1/invoices", // its collection copied onto the draft
                "stripe POST /v1/invoiceitems",
                "stripe GET /v1/invoices/{id}", "stripe GET /v1/subscriptions/{id}", "stripe POST /v1/invoices/{id}/finalize", // a pause set since the draft honoured
                "stripe GET /v1/invoices/{id}", // the status recorded
            ],
            invoiced.Where(r => r.StartsWith("stripe ", StringComparison.Ordinal)).Select(r => StripeId().Replace(r, "{id}")));
    }

    [Fact]
    public async Task A_usage_invoice_paid_is_recorded_on_its_run_with_one_Stripe_read_and_its_redelivery_reads_the_event_only()
    {
        var job = await OverageJobAsync();
        await app.RunAsync<InvoiceAccountFunction>(f => f.Run(job, 1, default));
        await app.Stripe.ControlAsync("/_emulator/clock/advance", new Dictionary<string, string> { ["seconds"] = "3700" }); // Stripe collects an hour after finalizing
        var paid = await UsageInvoiceEventAsync("invoice.paid");

        var first = await app.DeliverAsync(paid);
        var redelivered = await app.ProcessAsync(paid, deliveryAttempt: 2);

        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", "read invoice-run", "stripe GET /v1/invoices/" + paid.GetProperty("data").GetProperty("object").GetProperty("id").GetString(),
                "read invoice-run", "replace invoice-run", "read invoice-entry", "replace invoice-entry", // the status saved
                "read stripe-customers", "patch stripe-events", "upsert account-event",
            ],
            first);
        Assert.Equal(["read stripe-events", "upsert account-event"], redelivered);
    }

    [Theory]
    [InlineData("void", "invoice.voided", false)]
    [InlineData("mark_uncollectible", "invoice.marked_uncollectible", false)]
    [InlineData("mark_uncollectible", "invoice.marked_uncollectible", true)] // the credit applied stays spent
    public async Task A_usage_invoice_voided_or_marked_uncollectible_is_recorded_on_its_run_with_one_Stripe_read_and_its_redelivery_reads_the_event_only(string action, string type, bool creditApplied)
    {
        var invoice = await UsageInvoiceAsync(creditApplied ? await CreditPackJobAsync() : await OverageJobAsync());
        await app.StripeAsync(HttpMethod.Post, $"/v1/invoices/{invoice}/{action}");

        var changed = await UsageInvoiceEventAsync(type);
        var first = await app.DeliverAsync(changed);
        var redelivered = await app.ProcessAsync(changed, deliveryAttempt: 2);

        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", "read invoice-run", "stripe GET /v1/invoices/" + invoice,
                "read invoice-run", "replace invoice-run", "read invoice-entry", "replace invoice-entry", // the status saved
                "read stripe-customers", "patch stripe-events", "upsert account-event",
            ],
            first);
        Assert.Equal(["read stripe-events", "upsert account-event"], redelivered);
        Assert.Equal(0, await CreditBalanceAsync());
    }

    [Fact]
    public async Task A_usage_invoice_voided_with_credit_applied_gives_it_back_once_in_one_post_and_the_jobs_redelivery_gives_nothing_more()
    {
        var job = await CreditPackJobAsync();
        var invoice = await UsageInvoiceAsync(job);
        Assert.Equal(0, await CreditBalanceAsync()); // the pack's 1,000 applied to the invoice
        await app.StripeAsync(HttpMethod.Post, $"/v1/invoices/{invoice}/void");

        var voided = await UsageInvoiceEventAsync("invoice.voided");
        var first = await app.DeliverAsync(voided);
        var redelivered = await app.ProcessAsync(voided, deliveryAttempt: 2);
        var jobAgain = await app.RequestsOfAsync(() => app.RunAsync<InvoiceAccountFunction>(f => f.Run(job, 2, default)));

        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", "read invoice-run", "stripe GET /v1/invoices/" + invoice,
                "read credits", "read credit-entry", "read credit-entry", "read credits", "replace credits", "create credit-entry", "read credits", "replace credits", // the spend given back: the book read once before its post
                "read invoice-run", "replace invoice-run", "read invoice-entry", "replace invoice-entry", // the status saved
                "read stripe-customers", "patch stripe-events", "upsert account-event",
            ],
            first);
        Assert.Equal(["read stripe-events", "upsert account-event"], redelivered);
        Assert.Equal(["read invoice-run", "read invoice-entry"], jobAgain);
        var credits = await CreditsAsync();
        Assert.Equal(1_000, credits.Balances[Usd]);
        var restore = Assert.Single(credits.Entries, e => e.Kind == CreditEntryKind.Restore);
        Assert.Equal((1_000L, Usd), (restore.Amount, restore.Currency));
    }

    [Fact]
    public async Task A_void_its_job_records_gives_the_credit_back_at_the_record_step_and_its_event_proves_it_given_by_reading_the_book_and_two_entries()
    {
        var job = await CreditPackJobAsync();
        var (_, subscription) = await app.EventOfAsync(_account, "customer.subscription.created");
        await app.StripeAsync(HttpMethod.Post, "/v1/subscriptions/" + subscription, new Dictionary<string, string> { ["pause_collection[behavior]"] = "void" });
        var invoiced = await app.RequestsOfAsync(() => app.RunAsync<InvoiceAccountFunction>(f => f.Run(job, 1, default))); // finalized uncollected and voided
        var jobAgain = await app.RequestsOfAsync(() => app.RunAsync<InvoiceAccountFunction>(f => f.Run(job, 2, default)));
        Assert.Equal(1_000, await CreditBalanceAsync());

        var voided = await UsageInvoiceEventAsync("invoice.voided");
        var invoice = "/v1/invoices/" + voided.GetProperty("data").GetProperty("object").GetProperty("id").GetString();
        var first = await app.DeliverAsync(voided);

        Assert.Equal(
            [
                "read credits", "query accounts", // what the invoices of earlier periods leave
                "read credit-entry", "read credits", "replace credits", "create credit-entry", "read credits", "replace credits", // the spend posted on that book
                "read invoice-run", "replace invoice-run", // the credit applied saved
            ],
            invoiced.SkipWhile(r => r != "read credits").TakeWhile(r => !r.StartsWith("stripe ", StringComparison.Ordinal)));
        Assert.Equal(["stripe POST " + invoice + "/finalize", "stripe POST " + invoice + "/void"], invoiced.Where(r => r.StartsWith("stripe POST " + invoice, StringComparison.Ordinal)));
        Assert.Equal(
            [
                "read usage-period", "patch usage-period", "stripe GET " + invoice, // the record step: the period invoiced, the status read
                "read credits", "read credit-entry", "read credit-entry", "read credits", "replace credits", "create credit-entry", "read credits", "replace credits", // the spend given back
                "read invoice-run", "replace invoice-run", "read invoice-entry", "replace invoice-entry", // recorded void
            ],
            invoiced.SkipWhile(r => r != "read usage-period"));
        Assert.Equal(["read invoice-run", "read invoice-entry"], jobAgain);
        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", "read invoice-run", "stripe GET " + invoice,
                "read credits", "read credit-entry", "read credit-entry", // the spend, and its restore found: nothing posted, the run unchanged
                "read stripe-customers", "patch stripe-events", "upsert account-event",
            ],
            first);
        Assert.Equal(1_000, await CreditBalanceAsync());
    }

    [Fact]
    public async Task A_usage_draft_deleted_ends_its_run_and_its_redelivery_reads_the_event_only()
    {
        var job = await OverageJobAsync();
        var (_, subscription) = await app.EventOfAsync(_account, "customer.subscription.created");
        await app.StripeAsync(HttpMethod.Post, "/v1/subscriptions/" + subscription, new Dictionary<string, string> { ["pause_collection[behavior]"] = "keep_as_draft" });
        await app.RunAsync<InvoiceAccountFunction>(f => f.Run(job, 1, default)); // the draft kept
        var draft = (await UsageInvoiceEventAsync("invoice.created")).GetProperty("data").GetProperty("object").GetProperty("id").GetString();
        await app.StripeAsync(HttpMethod.Delete, "/v1/invoices/" + draft);

        var deleted = await UsageInvoiceEventAsync("invoice.deleted");
        var first = await app.DeliverAsync(deleted);
        var redelivered = await app.ProcessAsync(deleted, deliveryAttempt: 2);

        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", "read invoice-run", "stripe GET /v1/invoices/" + draft, // gone: the deletion confirmed
                "read usage-period", // marked invoiced already when the run kept its draft: nothing written
                "read invoice-run", "replace invoice-run", "read invoice-entry", "replace invoice-entry", // recorded deleted
                "read stripe-customers", "patch stripe-events", "upsert account-event",
            ],
            first);
        Assert.Equal(["read stripe-events", "upsert account-event"], redelivered);
    }

    [Fact]
    public async Task A_renewal_invoice_deleted_reads_only_the_customer_link()
    {
        await app.SubscribeAsync(_account);
        var (_, subscription) = await app.EventOfAsync(_account, "customer.subscription.created");
        var id = "evt_del" + Guid.NewGuid().ToString("N")[..12];
        var deleted = JsonDocument.Parse($$"""{"id":"{{id}}","object":"event","api_version":"2026-10-28.endive","created":{{app.Time.GetUtcNow().ToUnixTimeSeconds()}},"livemode":false,"pending_webhooks":1,"type":"invoice.deleted","data":{"object":{"id":"in_del{{id[7..]}}","object":"invoice","customer":"{{await app.CustomerAsync(_account)}}","subscription":"{{subscription}}","billing_reason":"subscription_cycle","status":"draft"} } }""").RootElement;

        var first = await app.DeliverAsync(deleted);
        var redelivered = await app.ProcessAsync(deleted, deliveryAttempt: 2);

        Assert.Equal(["read stripe-events", "patch stripe-events", "read stripe-customers", "patch stripe-events", "upsert account-event"], first);
        Assert.Equal(["read stripe-events", "upsert account-event"], redelivered);
    }

    [Fact]
    public async Task A_renewal_payment_failed_reads_Stripe_once_and_opens_the_grace_period_in_one_account_write()
    {
        await app.SubscribeAsync(_account);
        await app.Stripe.ControlAsync($"/_emulator/customers/{await app.CustomerAsync(_account)}/payment_method", new Dictionary<string, string> { ["behavior"] = "failing" });
        await app.Stripe.ControlAsync("/_emulator/clock/advance", new Dictionary<string, string> { ["seconds"] = (32 * 86_400).ToString(CultureInfo.InvariantCulture) });
        app.Time.Advance(TimeSpan.FromDays(32));
        await app.WarmAsync();

        var (_, subscription) = await app.EventOfAsync(_account, "customer.subscription.created");
        var (failed, _) = await app.EventOfAsync(_account, "invoice.payment_failed");
        var first = await app.DeliverAsync(failed);
        var redelivered = await app.ProcessAsync(failed, deliveryAttempt: 2);

        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", "read stripe-customers", "stripe GET /v1/subscriptions/" + subscription,
                "read account", "read account", "replace account", "read account-summary", "replace account-summary", // past_due since now
                "patch stripe-events", "upsert account-event",
            ],
            first);
        Assert.Equal(["read stripe-events", "upsert account-event"], redelivered);
    }

    /// <summary>The job of the account's first period, closed and settled, with usage beyond its plan (an overage invoice).</summary>
    private Task<string> OverageJobAsync() => OverageJobAsync(agentRuns: 5100);

    /// <summary>
    /// The job of a period whose overage (1,200 usd cents) exceeds the 1,000 of credit the account bought during it (a
    /// pack): the credit is applied and the rest invoiced.
    /// </summary>
    private Task<string> CreditPackJobAsync() =>
        OverageJobAsync(agentRuns: 5600, async () =>
        {
            Assert.Equal(200, await app.CallAsync<CreditsFunctions>((f, r) => f.BuyCredits(r, default), _account, json: """{"pack":"CREDITS_10"}"""));
            await app.CompleteCheckoutAsync(_account);
            await app.DeliverAsync((await app.EventOfAsync(_account, "checkout.session.completed")).Event);
        });

    private async Task<string> OverageJobAsync(int agentRuns, Func<Task>? duringPeriod = null)
    {
        await app.SubscribeAsync(_account);
        if (duringPeriod is not null)
        {
            await duringPeriod();
        }

        Assert.Equal(200, await app.CallAsync<RecordUsageFunction>((f, r) => f.Run(r, default), "product-backend", json: $$"""{"accountId":"{{_account}}","meter":"agent_runs","quantity":{{agentRuns}},"idempotencyKey":"over"}"""));
        app.Time.Advance(TimeSpan.FromDays(32)); // past the period's end, settled
        await app.WarmAsync();
        var now = DateOnly.FromDateTime(app.Time.GetUtcNow().UtcDateTime);
        var period = Assert.Single(await app.Services.GetRequiredService<InvoicingSweep>().ListNotInvoicedAsync(now.AddDays(-40), now, AccountId.Parse(_account), default));
        return new InvoiceJob(period.AccountId, period.PeriodKey) { PeriodEnd = period.PeriodEnd }.ToJson();
    }

    /// <summary>The id of the open usage invoice <paramref name="job"/> (of the account's first period) made, its run recorded.</summary>
    private async Task<string> UsageInvoiceAsync(string job)
    {
        await app.RunAsync<InvoiceAccountFunction>(f => f.Run(job, 1, default));
        return (await UsageInvoiceEventAsync("invoice.finalized")).GetProperty("data").GetProperty("object").GetProperty("id").GetString()!;
    }

    /// <summary>The newest event of <paramref name="type"/> about a usage invoice (<c>billing_reason</c> <c>manual</c>) of the account.</summary>
    private async Task<JsonElement> UsageInvoiceEventAsync(string type)
    {
        var customer = await app.CustomerAsync(_account);
        return (await app.StripeAsync(HttpMethod.Get, "/v1/events?limit=100&type=" + type)).GetProperty("data").EnumerateArray()
            .First(e => e.GetProperty("data").GetProperty("object") is var o && o.GetProperty("customer").GetString() == customer && o.GetProperty("billing_reason").GetString() == "manual");
    }

    /// <summary>The account's spendable usd credit, as its credits overview shows it.</summary>
    private async Task<long> CreditBalanceAsync() => (await CreditsAsync()).Balances.GetValueOrDefault(Usd);

    /// <summary>The account's credits overview (<c>GET /api/billing/credits</c>): balances and the latest entries.</summary>
    private async Task<CreditsView> CreditsAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return Assert.IsType<Succeeded<CreditsView>>(await scope.ServiceProvider.GetRequiredService<CreditsOverview>().GetAsync(AccountId.Parse(_account), cursor: null, limit: null, default)).Value;
    }

    [GeneratedRegex(@"(?<=/)(sub|in)_\w+")]
    private static partial Regex StripeId();
}
