using Billing.Application.Invoicing;
using Billing.Application.Payments;
using Billing.Infrastructure.StripeApi;
using Billing.Infrastructure.Tests.Support;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Stripe;

namespace Billing.Infrastructure.Tests.StripeApi;

/// <summary><see cref="StripeInvoicing"/> through Stripe.net against the emulator, registered as the app registers it.</summary>
[Collection(SharedStripeEmulator.Name)]
public sealed class StripeInvoicingTests(StripeEmulatorFixture fixture)
{
    private static readonly DateTimeOffset PeriodStart = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset PeriodEnd = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private IStripeInvoicing Invoicing => fixture.Services.GetRequiredService<IStripeInvoicing>();

    private StripeClient Stripe => fixture.Stripe;

    [Fact]
    public async Task A_draft_takes_the_items_and_finalizes_with_the_total_a_number_and_a_hosted_url()
    {
        var (customer, subscription) = await fixture.SubscribeAsync("acct-flow");
        var pending = await Stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer, Amount = 777, Currency = "usd", Description = "Not part of the usage invoice" });
        const string run = "acct-flow:2026-11";

        var draft = await Invoicing.CreateDraftAsync(Invoice(run, customer, subscription, "acct-flow"), $"{run}:invoice", CancellationToken.None);
        var api = await Invoicing.AddItemAsync(Item(run, draft.Id, customer, "api_calls", 1250, "API calls beyond 10,000 included: 2,500 × $0.005"), $"{run}:item:api_calls", CancellationToken.None);
        var storage = await Invoicing.AddItemAsync(Item(run, draft.Id, customer, "storage_gb", 300, "Storage beyond 10 GB: 3 GB × $1.00"), $"{run}:item:storage_gb", CancellationToken.None);
        var checkedDraft = await Invoicing.GetInvoiceAsync(draft.Id, CancellationToken.None);
        var open = await Invoicing.FinalizeAsync(draft.Id, $"{run}:finalize", CancellationToken.None);

        Assert.Equal(new StripeUsageInvoice(draft.Id, "draft", null, null, 0, 0, 0), draft);
        Assert.Equal(new StripeUsageInvoice(draft.Id, "draft", null, null, 1550, 1550, 0), checkedDraft); // the items only, before finalizing
        Assert.Equal((draft.Id, "open", 1550L), (open.Id, open.Status, open.Total));
        Assert.False(string.IsNullOrEmpty(open.Number));
        Assert.True(Uri.TryCreate(open.HostedInvoiceUrl, UriKind.Absolute, out _), open.HostedInvoiceUrl);

        var invoice = await Stripe.V1.Invoices.GetAsync(draft.Id);
        // A one-off invoice of the customer (Stripe refuses `subscription` with `pending_invoice_items_behavior`, and
        // `subscription` alone would take the subscription's pending items), charged as the subscription is
        Assert.Null(invoice.Parent);
        var subscribed = await Stripe.V1.Subscriptions.GetAsync(subscription);
        Assert.False(string.IsNullOrEmpty(subscribed.DefaultPaymentMethodId));
        Assert.Equal(subscribed.DefaultPaymentMethodId, invoice.DefaultPaymentMethodId);
        Assert.Equal(("charge_automatically", "usd", "Usage beyond the Pro plan"), (invoice.CollectionMethod, invoice.Currency, invoice.Description));
        Assert.True(invoice.AutoAdvance); // collected from now on as the subscription is
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["billing_run"] = run,
                ["account_id"] = "acct-flow",
                ["period_start"] = "2026-11-01T00:00:00Z",
                ["period_end"] = "2026-12-01T00:00:00Z",
            },
            invoice.Metadata);
        var items = await Stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Invoice = draft.Id });
        Assert.Equal([storage, api], items.Data.Select(i => i.Id));
        Assert.All(items.Data, i => Assert.Equal((PeriodStart.UtcDateTime, PeriodEnd.UtcDateTime), (i.Period.Start, i.Period.End)));
        Assert.All(items.Data, i => Assert.Equal(run, i.Metadata["billing_run"]));
        Assert.Equal(["storage_gb", "api_calls"], items.Data.Select(i => i.Metadata["meter"]));
        Assert.Equal("API calls beyond 10,000 included: 2,500 × $0.005", items.Data[1].Description);
        Assert.Null((await Stripe.V1.InvoiceItems.GetAsync(pending.Id)).InvoiceId); // pending items stay pending
    }

    [Fact]
    public async Task The_draft_is_created_with_auto_advance_off_and_collected_as_a_send_invoice_subscription_is()
    {
        var (customer, subscription) = await fixture.SubscribeAsync("acct-send");
        await Stripe.V1.Subscriptions.UpdateAsync(subscription, new SubscriptionUpdateOptions { CollectionMethod = "send_invoice", DaysUntilDue = 14 });

        var draft = await Invoicing.CreateDraftAsync(Invoice("acct-send:2026-11", customer, subscription, "acct-send"), "acct-send:2026-11:invoice", CancellationToken.None);
        var created = await Stripe.V1.Invoices.GetAsync(draft.Id);
        await Invoicing.AddItemAsync(Item("acct-send:2026-11", draft.Id, customer, "api_calls", 500, "API calls"), "acct-send:2026-11:item:api_calls", CancellationToken.None);
        var open = await Invoicing.FinalizeAsync(draft.Id, "acct-send:2026-11:finalize", CancellationToken.None);
        var finalized = await Stripe.V1.Invoices.GetAsync(draft.Id);

        Assert.Equal(("send_invoice", false), (created.CollectionMethod, created.AutoAdvance));
        Assert.Equal(("open", 500L), (open.Status, open.Total));
        Assert.Equal(TimeSpan.FromDays(14), finalized.DueDate - finalized.StatusTransitions.FinalizedAt);
    }

    [Fact]
    public async Task A_subscription_switched_to_send_invoice_between_two_attempts_gets_its_draft_instead_of_an_idempotency_error()
    {
        var (customer, subscription) = await fixture.SubscribeAsync("acct-switch");
        var first = await Invoicing.CreateDraftAsync(Invoice("acct-switch:2026-11", customer, subscription, "acct-switch"), "acct-switch:2026-11:invoice", CancellationToken.None);
        await Stripe.V1.Subscriptions.UpdateAsync(subscription, new SubscriptionUpdateOptions { CollectionMethod = "send_invoice", DaysUntilDue = 30 });

        var second = await Invoicing.CreateDraftAsync(Invoice("acct-switch:2026-11", customer, subscription, "acct-switch"), "acct-switch:2026-11:invoice", CancellationToken.None);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal("send_invoice", (await Stripe.V1.Invoices.GetAsync(second.Id)).CollectionMethod);
    }

    [Fact]
    public async Task A_subscription_whose_payment_method_changed_between_two_attempts_gets_a_draft_charged_to_the_new_one()
    {
        var (customer, subscription) = await fixture.SubscribeAsync("acct-card");
        var first = await Invoicing.CreateDraftAsync(Invoice("acct-card:2026-11", customer, subscription, "acct-card"), "acct-card:2026-11:invoice", CancellationToken.None);
        await Stripe.V1.Subscriptions.UpdateAsync(subscription, new SubscriptionUpdateOptions { DefaultPaymentMethod = "pm_new_card" });

        var second = await Invoicing.CreateDraftAsync(Invoice("acct-card:2026-11", customer, subscription, "acct-card"), "acct-card:2026-11:invoice", CancellationToken.None);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal("pm_new_card", (await Stripe.V1.Invoices.GetAsync(second.Id)).DefaultPaymentMethodId);
    }

    [Fact]
    public async Task Without_a_subscription_the_invoice_is_charged_automatically()
    {
        var customer = await fixture.CustomerAsync("acct-nosub");

        var draft = await Invoicing.CreateDraftAsync(Invoice("acct-nosub:2026-11", customer, null, "acct-nosub"), "acct-nosub:2026-11:invoice", CancellationToken.None);

        var invoice = await Stripe.V1.Invoices.GetAsync(draft.Id);
        Assert.Equal(("charge_automatically", false), (invoice.CollectionMethod, invoice.AutoAdvance));
        Assert.Null(invoice.Parent);
    }

    [Fact]
    public async Task The_same_idempotency_key_gives_the_same_invoice_and_the_same_item()
    {
        var customer = await fixture.CustomerAsync("acct-idem");
        const string run = "acct-idem:2026-11";

        var first = await Invoicing.CreateDraftAsync(Invoice(run, customer, null, "acct-idem"), $"{run}:invoice", CancellationToken.None);
        var again = await Invoicing.CreateDraftAsync(Invoice(run, customer, null, "acct-idem"), $"{run}:invoice", CancellationToken.None);
        var item = await Invoicing.AddItemAsync(Item(run, first.Id, customer, "api_calls", 400, "API calls"), $"{run}:item:api_calls", CancellationToken.None);
        var itemAgain = await Invoicing.AddItemAsync(Item(run, first.Id, customer, "api_calls", 400, "API calls"), $"{run}:item:api_calls", CancellationToken.None);
        var open = await Invoicing.FinalizeAsync(first.Id, $"{run}:finalize", CancellationToken.None);

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(item, itemAgain);
        Assert.Single((await Stripe.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customer })).Data);
        Assert.Equal(400, open.Total);
    }

    [Fact]
    public async Task An_invoice_is_found_by_its_run_and_not_by_another_run_or_customer()
    {
        var customer = await fixture.CustomerAsync("acct-find");
        var other = await fixture.CustomerAsync("acct-find-other");
        var october = await Invoicing.CreateDraftAsync(Invoice("acct-find:2026-10", customer, null, "acct-find"), "acct-find:2026-10:invoice", CancellationToken.None);
        await Stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer, Description = "A manual invoice without a run" });
        var november = await Invoicing.CreateDraftAsync(Invoice("acct-find:2026-11", customer, null, "acct-find"), "acct-find:2026-11:invoice", CancellationToken.None);
        await Invoicing.CreateDraftAsync(Invoice("acct-find:2026-12", other, null, "acct-find-other"), "acct-find-other:2026-12:invoice", CancellationToken.None);

        Assert.Equal(october, await Invoicing.FindInvoiceAsync(customer, "acct-find:2026-10", DateTimeOffset.UnixEpoch, CancellationToken.None));
        Assert.Equal(november.Id, (await Invoicing.FindInvoiceAsync(customer, "acct-find:2026-11", DateTimeOffset.UnixEpoch, CancellationToken.None))?.Id);
        Assert.Null(await Invoicing.FindInvoiceAsync(customer, "acct-find:2026-12", DateTimeOffset.UnixEpoch, CancellationToken.None));
        Assert.Null(await Invoicing.FindInvoiceAsync(customer, "acct-find:2026-1", DateTimeOffset.UnixEpoch, CancellationToken.None));
    }

    [Fact]
    public async Task Finding_an_invoice_pages_past_the_first_hundred()
    {
        var customer = await fixture.CustomerAsync("acct-pages");
        var oldest = await Invoicing.CreateDraftAsync(Invoice("acct-pages:2020-01", customer, null, "acct-pages"), "acct-pages:2020-01:invoice", CancellationToken.None);
        for (var i = 0; i < 100; i++)
        {
            await Stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer, Metadata = new Dictionary<string, string> { ["billing_run"] = $"other-{i}" } });
        }

        var found = await Invoicing.FindInvoiceAsync(customer, "acct-pages:2020-01", DateTimeOffset.UnixEpoch, CancellationToken.None);

        Assert.Equal(oldest.Id, found?.Id);
    }

    [Fact]
    public async Task Looking_for_a_runs_draft_that_was_never_created_reads_the_invoices_created_since_the_run_began_not_the_customers_history()
    {
        // A customer with more invoices before the run began than one page of Stripe's list holds; the run's first attempt
        // stopped before Stripe created its draft, so the retry finds none.
        var customer = await fixture.CustomerAsync("acct-history");
        for (var i = 0; i < 120; i++)
        {
            await Stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer, Metadata = new Dictionary<string, string> { ["billing_run"] = $"acct-history:older-{i}" } });
        }

        await Task.Delay(TimeSpan.FromSeconds(1.1)); // Stripe's created is in whole seconds
        var runStarted = DateTimeOffset.UtcNow;
        var lists = new StripeListCounter();
        var invoicing = fixture.BuildServices(requestsPerSecond: 100, services => services.AddHttpClient(StripeClientFactory.HttpClientName).AddHttpMessageHandler(() => new StripeListCounter.Handler(lists)))
            .GetRequiredService<IStripeInvoicing>();

        var found = await invoicing.FindInvoiceAsync(customer, "acct-history:2026-11", runStarted, CancellationToken.None);

        Assert.Null(found);
        Assert.Equal(1, lists.InvoiceLists); // one page, however many invoices the customer had before
    }

    [Fact]
    public async Task Items_are_listed_by_meter_for_their_invoice_only()
    {
        var customer = await fixture.CustomerAsync("acct-items");
        var draft = await Invoicing.CreateDraftAsync(Invoice("acct-items:2026-11", customer, null, "acct-items"), "acct-items:2026-11:invoice", CancellationToken.None);
        var elsewhere = await Invoicing.CreateDraftAsync(Invoice("acct-items:2026-10", customer, null, "acct-items"), "acct-items:2026-10:invoice", CancellationToken.None);
        var api = await Invoicing.AddItemAsync(Item("acct-items:2026-11", draft.Id, customer, "api_calls", 100, "API calls"), "acct-items:2026-11:item:api_calls", CancellationToken.None);
        var storage = await Invoicing.AddItemAsync(Item("acct-items:2026-11", draft.Id, customer, "storage_gb", 200, "Storage"), "acct-items:2026-11:item:storage_gb", CancellationToken.None);
        await Invoicing.AddItemAsync(Item("acct-items:2026-10", elsewhere.Id, customer, "seats", 300, "Seats"), "acct-items:2026-10:item:seats", CancellationToken.None);
        await Stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer, Invoice = draft.Id, Amount = 50, Currency = "usd", Description = "Added by hand, no meter" });

        var byMeter = await Invoicing.ListItemsByMeterAsync(draft.Id, CancellationToken.None);
        var none = await Invoicing.ListItemsByMeterAsync((await Invoicing.CreateDraftAsync(Invoice("acct-items:2026-09", customer, null, "acct-items"), "acct-items:2026-09:invoice", CancellationToken.None)).Id, CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["api_calls"] = api, ["storage_gb"] = storage }, byMeter);
        Assert.Empty(none);
    }

    [Fact]
    public async Task Finalizing_twice_or_a_paid_invoice_returns_it_as_it_is()
    {
        var customer = await fixture.CustomerAsync("acct-twice");
        const string run = "acct-twice:2026-11";
        var draft = await Invoicing.CreateDraftAsync(Invoice(run, customer, null, "acct-twice"), $"{run}:invoice", CancellationToken.None);
        await Invoicing.AddItemAsync(Item(run, draft.Id, customer, "api_calls", 900, "API calls"), $"{run}:item:api_calls", CancellationToken.None);

        var first = await Invoicing.FinalizeAsync(draft.Id, $"{run}:finalize", CancellationToken.None);
        var replayed = await Invoicing.FinalizeAsync(draft.Id, $"{run}:finalize", CancellationToken.None);
        var laterKey = await Invoicing.FinalizeAsync(draft.Id, $"{run}:finalize:after-the-key-expired", CancellationToken.None);
        await Stripe.V1.Invoices.PayAsync(draft.Id, new InvoicePayOptions { PaidOutOfBand = true });
        var paid = await Invoicing.FinalizeAsync(draft.Id, $"{run}:finalize:once-paid", CancellationToken.None);

        Assert.Equal("open", first.Status);
        Assert.Equal(first, replayed);
        Assert.Equal(first, laterKey);
        Assert.Equal(first with { Status = "paid", AmountPaid = 900 }, paid);
    }

    [Fact]
    public async Task An_invoice_below_Stripes_minimum_charge_reads_paid_with_nothing_due_and_the_next_one_is_due_the_amount_carried()
    {
        var customer = await fixture.CustomerAsync("acct-small");
        var small = await FinalizedAsync(customer, "acct-small:2026-11", 2);
        var next = await FinalizedAsync(customer, "acct-small:2026-12", 900);

        // Stripe's API reference (Invoices, amount_due): "If the amount due for the invoice is less than Stripe's minimum
        // allowed charge per currency, the invoice is automatically marked paid, and we add the amount due to the
        // customer's credit balance which is applied to the next invoice."
        Assert.Equal(("paid", 2L, 0L, 0L), (small.Status, small.Total, small.AmountDue, small.AmountPaid));
        Assert.Equal(("open", 900L, 902L, 0L), (next.Status, next.Total, next.AmountDue, next.AmountPaid));
    }

    private async Task<StripeUsageInvoice> FinalizedAsync(string customer, string run, long amount)
    {
        var draft = await Invoicing.CreateDraftAsync(Invoice(run, customer, null, "acct-small"), $"{run}:invoice", CancellationToken.None);
        await Invoicing.AddItemAsync(Item(run, draft.Id, customer, "api_calls", amount, "API calls"), $"{run}:item:api_calls", CancellationToken.None);
        return await Invoicing.FinalizeAsync(draft.Id, $"{run}:finalize", CancellationToken.None);
    }

    [Fact]
    public async Task A_paused_collection_is_read_from_the_subscription_with_its_behavior_and_resume_time()
    {
        var (_, subscription) = await fixture.SubscribeAsync("acct-paused");
        var resumes = DateTime.UtcNow.AddDays(30);
        resumes = resumes.AddTicks(-(resumes.Ticks % TimeSpan.TicksPerSecond)); // Stripe keeps seconds

        var before = await Invoicing.GetCollectionPauseAsync(subscription, CancellationToken.None);
        await Stripe.V1.Subscriptions.UpdateAsync(subscription, new SubscriptionUpdateOptions { PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = "void", ResumesAt = resumes } });
        var paused = await Invoicing.GetCollectionPauseAsync(subscription, CancellationToken.None);
        await Stripe.V1.Subscriptions.UpdateAsync(subscription, new SubscriptionUpdateOptions { PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = "keep_as_draft" } });
        var draftsKept = await Invoicing.GetCollectionPauseAsync(subscription, CancellationToken.None);
        var resume = new SubscriptionUpdateOptions();
        resume.AddExtraParam("pause_collection", string.Empty);
        await Stripe.V1.Subscriptions.UpdateAsync(subscription, resume);
        var resumed = await Invoicing.GetCollectionPauseAsync(subscription, CancellationToken.None);

        Assert.Null(before);
        Assert.Equal(new CollectionPause(CollectionPauseBehavior.Void, new DateTimeOffset(resumes, TimeSpan.Zero)), paused);
        Assert.Equal(new CollectionPause(CollectionPauseBehavior.KeepAsDraft, null), draftsKept);
        Assert.Null(resumed);
        Assert.Null(await Invoicing.GetCollectionPauseAsync("sub_does_not_exist", CancellationToken.None));
    }

    [Theory]
    [InlineData(CollectionPauseBehavior.Void, "void")]
    [InlineData(CollectionPauseBehavior.MarkUncollectible, "uncollectible")]
    public async Task A_paused_subscriptions_invoice_is_finalized_without_being_collected_then_voided_or_marked_once(CollectionPauseBehavior behavior, string status)
    {
        var (customer, subscription) = await fixture.SubscribeAsync("acct-held-" + status);
        var run = $"acct-held-{status}:2026-11";
        var draft = await Invoicing.CreateDraftAsync(Invoice(run, customer, subscription, "acct-held-" + status), $"{run}:invoice", CancellationToken.None);
        await Invoicing.AddItemAsync(Item(run, draft.Id, customer, "api_calls", 1_250, "API calls"), $"{run}:item:api_calls", CancellationToken.None);

        var held = await Invoicing.FinalizeUncollectedAsync(draft.Id, behavior, $"{run}:finalize:paused", CancellationToken.None);
        var replayed = await Invoicing.FinalizeUncollectedAsync(draft.Id, behavior, $"{run}:finalize:paused", CancellationToken.None);
        var laterKey = await Invoicing.FinalizeUncollectedAsync(draft.Id, behavior, $"{run}:finalize:paused:after-the-keys-expired", CancellationToken.None);

        Assert.Equal((draft.Id, status, 1_250L), (held.Id, held.Status, held.Total));
        Assert.False(string.IsNullOrEmpty(held.Number));
        Assert.Equal(held, replayed);
        Assert.Equal(held, laterKey);
        var invoice = await Stripe.V1.Invoices.GetAsync(draft.Id);
        Assert.Equal((status, false, 0L, 0L), (invoice.Status, invoice.AutoAdvance, invoice.AmountPaid, invoice.AttemptCount)); // never collected
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Invoicing.FinalizeUncollectedAsync(draft.Id, CollectionPauseBehavior.KeepAsDraft, $"{run}:kept", CancellationToken.None));
    }

    [Fact]
    public async Task An_invoice_Stripe_does_not_have_reads_as_none()
    {
        Assert.Null(await Invoicing.GetInvoiceAsync("in_does_not_exist", CancellationToken.None));
    }

    [Fact]
    public async Task Stripe_refusals_become_permanent_provider_failures_without_the_response_body()
    {
        var customer = await fixture.CustomerAsync("acct-refused");

        var unknownInvoice = await Assert.ThrowsAsync<PaymentProviderException>(() => Invoicing.FinalizeAsync("in_does_not_exist", "k1", CancellationToken.None));
        var unknownSubscription = await Assert.ThrowsAsync<PaymentProviderException>(() =>
            Invoicing.CreateDraftAsync(Invoice("acct-refused:2026-11", customer, "sub_does_not_exist", "acct-refused"), "k2", CancellationToken.None));
        var closedInvoice = await Invoicing.CreateDraftAsync(Invoice("acct-refused:2026-10", customer, null, "acct-refused"), "k3", CancellationToken.None);
        await Invoicing.FinalizeAsync(closedInvoice.Id, "k4", CancellationToken.None);
        var notDraft = await Assert.ThrowsAsync<PaymentProviderException>(() =>
            Invoicing.AddItemAsync(Item("acct-refused:2026-10", closedInvoice.Id, customer, "api_calls", 100, "API calls"), "k5", CancellationToken.None));

        Assert.All([unknownInvoice, unknownSubscription, notDraft], e => Assert.False(e.IsTransient));
        Assert.StartsWith("Could not finalize the usage invoice: Stripe answered 404", unknownInvoice.Message, StringComparison.Ordinal);
        Assert.StartsWith("Could not create the usage invoice: Stripe answered 404", unknownSubscription.Message, StringComparison.Ordinal);
        Assert.StartsWith("Could not add the usage invoice item: Stripe answered 400", notDraft.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("draft", notDraft.Message, StringComparison.Ordinal); // Stripe's own message (the body) is not repeated
    }

    [Fact]
    public async Task A_period_with_many_plan_changes_is_invoiced_with_its_descriptions_cut_to_what_Stripe_takes()
    {
        // The run's descriptions name every plan of the period in order (InvoiceRun.InvoiceDescription, PeriodCharges.Describe):
        // enough switches between two plans make them longer than Stripe takes (invoice 1,500 characters, item 5,000).
        static string Plans(int count) => string.Join(" then ", Enumerable.Range(0, count).Select(i => i % 2 == 0 ? "PRO_MONTHLY_EU" : "ENTERPRISE_MONTHLY_EU"));
        var customer = await fixture.CustomerAsync("acct-many-plans");
        const string run = "acct-many-plans:2026-11";

        var draft = await Invoicing.CreateDraftAsync(Invoice(run, customer, null, "acct-many-plans") with { Description = $"Usage beyond the {Plans(80)} plans" }, $"{run}:invoice", CancellationToken.None);
        var itemDescription = $"api_calls: 2,500 beyond the included amounts of {Plans(240)} (12,500 used), 1 Nov 2026 – 30 Nov 2026";
        await Invoicing.AddItemAsync(Item(run, draft.Id, customer, "api_calls", 1250, itemDescription), $"{run}:item:api_calls", CancellationToken.None);
        var open = await Invoicing.FinalizeAsync(draft.Id, $"{run}:finalize", CancellationToken.None);

        var invoice = await Stripe.V1.Invoices.GetAsync(draft.Id);
        var item = Assert.Single((await Stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Invoice = draft.Id })).Data);
        Assert.Equal(("open", 1250L), (open.Status, open.Total));
        Assert.Equal(1500, invoice.Description.Length);
        Assert.StartsWith("Usage beyond the PRO_MONTHLY_EU then ENTERPRISE_MONTHLY_EU then ", invoice.Description, StringComparison.Ordinal);
        Assert.EndsWith("…", invoice.Description, StringComparison.Ordinal);
        Assert.Equal(5000, item.Description.Length);
        Assert.Equal(itemDescription[..4999] + "…", item.Description);
    }

    [Fact]
    public async Task A_description_of_exactly_what_Stripe_takes_is_kept_whole_and_a_cut_never_splits_a_character()
    {
        var customer = await fixture.CustomerAsync("acct-cut-edge");
        const string run = "acct-cut-edge:2026-11";
        var exactly = new string('u', 1500);
        var emojiAtTheCut = new string('i', 4998) + "\U0001F680" + "tail"; // the rocket's two UTF-16 units are characters 4999 and 5000

        var draft = await Invoicing.CreateDraftAsync(Invoice(run, customer, null, "acct-cut-edge") with { Description = exactly }, $"{run}:invoice", CancellationToken.None);
        await Invoicing.AddItemAsync(Item(run, draft.Id, customer, "api_calls", 100, emojiAtTheCut), $"{run}:item:api_calls", CancellationToken.None);

        Assert.Equal(exactly, (await Stripe.V1.Invoices.GetAsync(draft.Id)).Description);
        var item = Assert.Single((await Stripe.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Invoice = draft.Id })).Data);
        Assert.Equal(new string('i', 4998) + "…", item.Description);
    }

    [Fact]
    public async Task The_draft_sends_no_discount_no_pending_items_one_payment_method_and_a_key_naming_the_collection_and_the_method_read()
    {
        // The emulator applies no coupon and keeps no subscription's pending items apart, so what is sent is checked here:
        // a customer's coupon or a pending proration on the usage invoice would make its total differ from the run's.
        var stub = new StubStripeHandler();
        stub.Respond(HttpStatusCode.OK, """{"id":"sub_1","object":"subscription","status":"active","collection_method":"send_invoice","days_until_due":14,"default_payment_method":"pm_1","default_source":"src_1"}""");
        stub.Respond(HttpStatusCode.OK, """{"id":"in_1","object":"invoice","status":"draft","total":0}""");
        var invoicing = new StripeInvoicing(TestStripe.Clients(stub), NullLogger<StripeInvoicing>.Instance);

        await invoicing.CreateDraftAsync(Invoice("acct-sent:2026-11", "cus_1", "sub_1", "acct-sent"), "acct-sent:2026-11:invoice", CancellationToken.None);

        var create = stub.Requests[1];
        Assert.Equal(("POST", "/v1/invoices"), (create.Method, create.Path));
        Assert.Equal("acct-sent:2026-11:invoice:send_invoice:14:pay:pm_1", create.IdempotencyKey);
        Assert.Equal(("exclude", "", "pm_1"), (create.Form["pending_invoice_items_behavior"], create.Form["discounts"], create.Form["default_payment_method"]));
        Assert.DoesNotContain("default_source", create.Form.Keys);
    }

    [Fact]
    public async Task A_void_after_a_mark_that_failed_under_the_same_run_s_key_is_sent_under_its_own_key()
    {
        // The subscription's collection pause said mark_uncollectible; Stripe answered the mark with a 500, which it saves
        // under that key and replays for a day (and refuses on another endpoint). Before the next attempt the pause was
        // changed to void: sent under the mark's key, the void would fail the same way until the key expired.
        var stub = new StubStripeHandler();
        stub.Respond(HttpStatusCode.OK, """{"id":"in_1","object":"invoice","status":"open","total":1250}""");
        stub.Respond(HttpStatusCode.InternalServerError, """{"error":{"type":"api_error","message":"An unknown error occurred."}}""");
        stub.Respond(HttpStatusCode.OK, """{"id":"in_1","object":"invoice","status":"open","total":1250}"""); // the finalize replayed
        stub.Respond(HttpStatusCode.OK, """{"id":"in_1","object":"invoice","status":"void","total":1250}""");
        var invoicing = new StripeInvoicing(TestStripe.Clients(stub, maxNetworkRetries: 0), NullLogger<StripeInvoicing>.Instance);

        await Assert.ThrowsAnyAsync<Exception>(() => invoicing.FinalizeUncollectedAsync("in_1", CollectionPauseBehavior.MarkUncollectible, "run:finalize:paused", CancellationToken.None));
        var voided = await invoicing.FinalizeUncollectedAsync("in_1", CollectionPauseBehavior.Void, "run:finalize:paused", CancellationToken.None);

        Assert.Equal("void", voided.Status);
        Assert.Equal(
            [
                ("/v1/invoices/in_1/finalize", "run:finalize:paused:finalize"),
                ("/v1/invoices/in_1/mark_uncollectible", "run:finalize:paused:mark_uncollectible"),
                ("/v1/invoices/in_1/finalize", "run:finalize:paused:finalize"),
                ("/v1/invoices/in_1/void", "run:finalize:paused:void"),
            ],
            stub.Requests.Select(r => (r.Path, r.IdempotencyKey)));
    }

    /// <summary>
    /// Stripe voids or marks uncollectible only an open invoice (a void of an uncollectible one is accepted): one settled
    /// meanwhile is refused with a 400, read, and taken as it is.
    /// </summary>
    [Theory]
    [InlineData(CollectionPauseBehavior.Void, "paid", "void")] // the customer paid the open invoice between its finalize and its void
    [InlineData(CollectionPauseBehavior.MarkUncollectible, "paid", "mark_uncollectible")]
    [InlineData(CollectionPauseBehavior.MarkUncollectible, "void", "mark_uncollectible")] // voided in the Dashboard meanwhile
    public async Task A_void_or_mark_refused_for_an_invoice_settled_meanwhile_takes_the_invoice_as_it_is(CollectionPauseBehavior behavior, string status, string refusedStep)
    {
        var stub = new StubStripeHandler();
        stub.Respond(HttpStatusCode.OK, """{"id":"in_1","object":"invoice","status":"open","total":1250}""");
        stub.Respond(HttpStatusCode.BadRequest, """{"error":{"type":"invalid_request_error","message":"You can only pass in open invoices. This invoice isn't open."}}""");
        stub.Respond(HttpStatusCode.OK, $$"""{"id":"in_1","object":"invoice","status":"{{status}}","total":1250}""");
        var invoicing = new StripeInvoicing(TestStripe.Clients(stub), NullLogger<StripeInvoicing>.Instance);

        var settled = await invoicing.FinalizeUncollectedAsync("in_1", behavior, "run:finalize:paused", CancellationToken.None);

        Assert.Equal(status, settled.Status);
        Assert.Equal(["POST /v1/invoices/in_1/finalize", $"POST /v1/invoices/in_1/{refusedStep}", "GET /v1/invoices/in_1"], stub.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task A_void_refused_for_an_invoice_still_open_is_a_stripe_error()
    {
        var stub = new StubStripeHandler();
        stub.Respond(HttpStatusCode.OK, """{"id":"in_1","object":"invoice","status":"open","total":1250}""");
        stub.Respond(HttpStatusCode.BadRequest, """{"error":{"type":"invalid_request_error","message":"Something else."}}""");
        stub.Respond(HttpStatusCode.OK, """{"id":"in_1","object":"invoice","status":"open","total":1250}""");
        var invoicing = new StripeInvoicing(TestStripe.Clients(stub), NullLogger<StripeInvoicing>.Instance);

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => invoicing.FinalizeUncollectedAsync("in_1", CollectionPauseBehavior.Void, "run:finalize:paused", CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task A_finalize_refused_for_an_invoice_still_a_draft_is_a_stripe_error_not_the_draft()
    {
        var stub = new StubStripeHandler();
        stub.Respond(HttpStatusCode.BadRequest, """{"error":{"type":"invalid_request_error","message":"Something else."}}""");
        stub.Respond(HttpStatusCode.OK, """{"id":"in_1","object":"invoice","status":"draft","total":1250}""");
        var invoicing = new StripeInvoicing(TestStripe.Clients(stub), NullLogger<StripeInvoicing>.Instance);

        var failure = await Assert.ThrowsAsync<PaymentProviderException>(() => invoicing.FinalizeAsync("in_1", "run:finalize", CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.Equal(["POST /v1/invoices/in_1/finalize", "GET /v1/invoices/in_1"], stub.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task A_paused_invoice_marked_uncollectible_meanwhile_is_not_voided()
    {
        // Stripe voids an uncollectible invoice too: past the finalize, only an open invoice is settled.
        var stub = new StubStripeHandler();
        stub.Respond(HttpStatusCode.BadRequest, """{"error":{"type":"invalid_request_error","message":"This invoice is already finalized."}}""");
        stub.Respond(HttpStatusCode.OK, """{"id":"in_1","object":"invoice","status":"uncollectible","total":1250}""");
        var invoicing = new StripeInvoicing(TestStripe.Clients(stub), NullLogger<StripeInvoicing>.Instance);

        var settled = await invoicing.FinalizeUncollectedAsync("in_1", CollectionPauseBehavior.Void, "run:finalize:paused", CancellationToken.None);

        Assert.Equal("uncollectible", settled.Status);
        Assert.Equal(["POST /v1/invoices/in_1/finalize", "GET /v1/invoices/in_1"], stub.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task A_collection_paused_to_mark_invoices_uncollectible_is_read_as_such()
    {
        var stub = new StubStripeHandler();
        stub.Respond(HttpStatusCode.OK, """{"id":"sub_1","object":"subscription","status":"active","pause_collection":{"behavior":"mark_uncollectible","resumes_at":null}}""");
        var invoicing = new StripeInvoicing(TestStripe.Clients(stub), NullLogger<StripeInvoicing>.Instance);

        Assert.Equal(new CollectionPause(CollectionPauseBehavior.MarkUncollectible, null), await invoicing.GetCollectionPauseAsync("sub_1", CancellationToken.None));
    }

    [Fact]
    public async Task Of_two_items_for_one_meter_the_oldest_is_the_meter_s_item()
    {
        // Stripe lists invoice items newest first.
        var stub = new StubStripeHandler();
        stub.Respond(HttpStatusCode.OK, """{"object":"list","data":[{"id":"ii_new","object":"invoiceitem","metadata":{"meter":"api_calls"}},{"id":"ii_other","object":"invoiceitem","metadata":{"meter":"tokens"}},{"id":"ii_old","object":"invoiceitem","metadata":{"meter":"api_calls"}}],"has_more":false}""");
        var invoicing = new StripeInvoicing(TestStripe.Clients(stub), NullLogger<StripeInvoicing>.Instance);

        var byMeter = await invoicing.ListItemsByMeterAsync("in_1", CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["api_calls"] = "ii_old", ["tokens"] = "ii_other" }, byMeter);
    }

    private static NewUsageInvoice Invoice(string run, string customer, string? subscription, string account) =>
        new(run, customer, subscription, "USD", "Usage beyond the Pro plan", PeriodStart, PeriodEnd, account);

    private static NewUsageInvoiceItem Item(string run, string invoice, string customer, string meter, long amount, string description) =>
        new(run, invoice, customer, meter, amount, "USD", description, PeriodStart, PeriodEnd);
}

/// <summary>Counts the invoice list requests (<c>GET /v1/invoices</c>) a Stripe client sends.</summary>
internal sealed class StripeListCounter
{
    private int _invoiceLists;

    public int InvoiceLists => Volatile.Read(ref _invoiceLists);

    internal sealed class Handler(StripeListCounter counter) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get && request.RequestUri?.AbsolutePath == "/v1/invoices")
            {
                Interlocked.Increment(ref counter._invoiceLists);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
