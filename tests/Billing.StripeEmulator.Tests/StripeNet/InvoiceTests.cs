using Billing.StripeEmulator.Tests.StripeNet.Support;
using Stripe;

namespace Billing.StripeEmulator.Tests.StripeNet;

[Collection(SharedStripeNetEmulator.Name)]
public sealed class InvoiceTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    [Covers(
        "InvoiceItemService.CreateAsync", "InvoiceItemService.ListAsync", "InvoiceService.CreateAsync", "InvoiceService.FinalizeInvoiceAsync",
        "InvoiceService.PayAsync", "InvoiceService.GetAsync", "InvoiceLineItemService.ListAsync", "InvoicePaymentService.ListAsync")]
    public async Task Pending_items_go_on_an_invoice_that_is_finalized_paid_and_linked_to_its_payment_intent()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "invoiced@example.com" });
        var byPrice = await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer.Id,
            Pricing = new InvoiceItemPricingOptions { Price = "price_credits_1000" },
            Quantity = 2,
            Metadata = new Dictionary<string, string> { ["reason"] = "credits" },
        });
        var byAmount = await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 250, Currency = "usd", Description = "Setup" });
        var pending = await Client.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id, Pending = true });

        var draft = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, PendingInvoiceItemsBehavior = "include", AutoAdvance = false });
        var open = await Client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        var paid = await Client.V1.Invoices.PayAsync(draft.Id);
        var fetched = await Client.V1.Invoices.GetAsync(draft.Id, new InvoiceGetOptions { Expand = ["payments"] });
        var lines = await Client.V1.Invoices.LineItems.ListAsync(draft.Id, new InvoiceLineItemListOptions { Limit = 1 });
        var payments = await Client.V1.InvoicePayments.ListAsync(new InvoicePaymentListOptions { Invoice = draft.Id });

        Assert.Equal(2000, byPrice.Amount);
        Assert.Equal("price_credits_1000", byPrice.Pricing.PriceDetails.PriceId);
        Assert.Empty(byPrice.FrozenFields);
        Assert.Empty(byPrice.InvoicingRules);
        Assert.Equal(2, pending.Data.Count);
        Assert.Equal("draft", draft.Status);
        Assert.Equal(2250, draft.AmountDue);
        Assert.Equal("open", open.Status);
        Assert.False(string.IsNullOrEmpty(open.Number));
        Assert.Equal("paid", paid.Status);
        Assert.Equal(2250, paid.AmountPaid);
        Assert.Equal(0, paid.AmountPaidOffStripe);
        Assert.Null(paid.Parent);
        Assert.Null(paid.StatusDetails);
        Assert.True(lines.HasMore);
        Assert.Contains(lines.Data[0].Parent.InvoiceItemDetails.InvoiceItem, new[] { byPrice.Id, byAmount.Id });
        var payment = Assert.Single(fetched.Payments.Data);
        Assert.Equal("paid", payment.Status);
        Assert.Equal(2250, payment.AmountPaid);
        Assert.Equal("payment_intent", payment.Payment.Type);
        Assert.Equal(payment.Id, Assert.Single(payments.Data).Id);
        var intent = await Client.V1.PaymentIntents.GetAsync(payment.Payment.PaymentIntentId);
        Assert.Equal("succeeded", intent.Status);
        Assert.Equal(2250, intent.AmountReceived);
    }

    [Fact]
    [Covers("InvoiceService.ListAsync", "InvoiceService.ListAutoPagingAsync", "InvoiceService.PayAsync")]
    public async Task Invoices_list_newest_first_and_auto_page_and_an_out_of_band_payment_counts_off_stripe()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "many@example.com" });
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 100 + i, Currency = "usd" });
            ids.Add((await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, PendingInvoiceItemsBehavior = "include" })).Id);
        }

        var outOfBand = await Client.V1.Invoices.PayAsync(ids[0], new InvoicePayOptions { PaidOutOfBand = true });
        var page = await Client.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customer.Id, Limit = 2 });
        var all = new List<Invoice>();
        await foreach (var invoice in Client.V1.Invoices.ListAutoPagingAsync(new InvoiceListOptions { Customer = customer.Id, Limit = 1 }))
        {
            all.Add(invoice);
        }

        Assert.Equal("paid", outOfBand.Status);
        Assert.Equal(100, outOfBand.AmountPaidOffStripe);
        Assert.Equal([ids[2], ids[1]], page.Data.Select(i => i.Id));
        Assert.True(page.HasMore);
        Assert.Equal(Enumerable.Reverse(ids), all.Select(i => i.Id));
    }

    [Fact]
    [Covers("InvoiceItemService.ListAutoPagingAsync", "SubscriptionService.UpdateAsync")]
    public async Task A_usage_invoice_copies_a_send_invoice_subscription_takes_items_on_the_draft_and_finalizes_with_a_number_and_url()
    {
        var session = await Support.Checkout.SubscribeAsync(Client, fixture.Emulator);
        var withoutDays = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Subscriptions.UpdateAsync(session.SubscriptionId, new SubscriptionUpdateOptions { CollectionMethod = "send_invoice" }));
        var subscription = await Client.V1.Subscriptions.UpdateAsync(session.SubscriptionId, new SubscriptionUpdateOptions { CollectionMethod = "send_invoice", DaysUntilDue = 14 });
        var pending = await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = session.CustomerId, Amount = 999, Currency = "usd" });
        var draft = await Client.V1.Invoices.CreateAsync(
            new InvoiceCreateOptions
            {
                Customer = session.CustomerId,
                Currency = "usd",
                PendingInvoiceItemsBehavior = "exclude",
                AutoAdvance = false,
                CollectionMethod = subscription.CollectionMethod,
                DaysUntilDue = subscription.DaysUntilDue,
                DefaultPaymentMethod = subscription.DefaultPaymentMethodId,
                Metadata = new Dictionary<string, string> { ["billing_run"] = "acct-1:2026-11" },
            },
            new RequestOptions { IdempotencyKey = "usage:acct-1:2026-11:invoice" });
        var items = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var item = await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
            {
                Customer = session.CustomerId,
                Invoice = draft.Id,
                Amount = 100 * (i + 1),
                Currency = "usd",
                Period = new InvoiceItemPeriodOptions { Start = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), End = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc) },
                Metadata = new Dictionary<string, string> { ["meter"] = $"m{i}" },
            });
            items.Add(item.Id);
        }

        var onInvoice = new List<InvoiceItem>();
        await foreach (var item in Client.V1.InvoiceItems.ListAutoPagingAsync(new InvoiceItemListOptions { Invoice = draft.Id, Limit = 2 }))
        {
            onInvoice.Add(item);
        }

        var open = await Client.V1.Invoices.FinalizeInvoiceAsync(draft.Id, new InvoiceFinalizeOptions { AutoAdvance = true });

        Assert.Equal(("days_until_due", System.Net.HttpStatusCode.BadRequest), (withoutDays.StripeError.Param, withoutDays.HttpStatusCode));
        Assert.Equal(("send_invoice", 14L), (subscription.CollectionMethod, subscription.DaysUntilDue));
        Assert.Equal("send_invoice", draft.CollectionMethod);
        Assert.Null(draft.Parent); // a one-off invoice: one for the subscription could not exclude its pending items
        Assert.False(string.IsNullOrEmpty(subscription.DefaultPaymentMethodId));
        Assert.Equal(subscription.DefaultPaymentMethodId, draft.DefaultPaymentMethodId);
        Assert.Equal("acct-1:2026-11", draft.Metadata["billing_run"]);
        Assert.Equal(0, draft.Total);
        Assert.Equal(Enumerable.Reverse(items), onInvoice.Select(i => i.Id));
        Assert.All(onInvoice, i => Assert.Equal(new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), i.Period.Start));
        Assert.Equal(["m2", "m1", "m0"], onInvoice.Select(i => i.Metadata["meter"]));
        Assert.Equal("open", open.Status);
        Assert.Equal(600, open.Total);
        Assert.False(string.IsNullOrEmpty(open.Number));
        Assert.False(string.IsNullOrEmpty(open.HostedInvoiceUrl));
        Assert.Equal(TimeSpan.FromDays(14), open.DueDate - open.StatusTransitions.FinalizedAt);
        Assert.Null((await Client.V1.InvoiceItems.GetAsync(pending.Id)).Invoice);
    }

    [Fact]
    public async Task Only_a_one_off_draft_can_be_deleted_and_its_deletion_is_an_event()
    {
        var session = await Support.Checkout.SubscribeAsync(Client, fixture.Emulator);
        var draft = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = session.CustomerId, PendingInvoiceItemsBehavior = "exclude", Metadata = new Dictionary<string, string> { ["billing_run"] = "acct-1:2026-11" } });
        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = session.CustomerId, Invoice = draft.Id, Amount = 300, Currency = "usd" });
        var forSubscription = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = session.CustomerId, Subscription = session.SubscriptionId });
        var open = await Client.V1.Invoices.FinalizeInvoiceAsync((await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = session.CustomerId })).Id);

        var deleted = await Client.V1.Invoices.DeleteAsync(draft.Id);
        var ofSubscription = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Invoices.DeleteAsync(forSubscription.Id));
        var finalized = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Invoices.DeleteAsync(open.Id));
        var gone = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Invoices.GetAsync(draft.Id));

        Assert.Equal((draft.Id, true), (deleted.Id, deleted.Deleted));
        Assert.Equal(("invalid_request_error", "invoice_not_editable"), (ofSubscription.StripeError.Type, ofSubscription.StripeError.Code));
        Assert.Equal(("invalid_request_error", "invoice_not_editable"), (finalized.StripeError.Type, finalized.StripeError.Code));
        Assert.Equal((System.Net.HttpStatusCode.NotFound, "resource_missing"), (gone.HttpStatusCode, gone.StripeError.Code));
        Assert.Empty((await Client.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Invoice = draft.Id })).Data);
        var evt = (await Client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.deleted" })).Data.Single();
        var snapshot = Assert.IsType<Invoice>(evt.Data.Object);
        Assert.Equal((draft.Id, "draft", 300L, "acct-1:2026-11"), (snapshot.Id, snapshot.Status, snapshot.Total, snapshot.Metadata["billing_run"]));
    }

    [Fact]
    public async Task A_one_off_invoice_takes_a_default_source_as_stripe_does()
    {
        // What the usage invoice sends for a subscription charged to a legacy source (card_ or src_) instead of a payment method.
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "source@example.com" });

        var draft = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id,
            Currency = "usd",
            PendingInvoiceItemsBehavior = "exclude",
            AutoAdvance = false,
            DefaultSource = "card_legacy_visa",
        });

        Assert.Equal("card_legacy_visa", draft.DefaultSourceId);
        Assert.Null(draft.DefaultPaymentMethodId);
        Assert.Equal("card_legacy_visa", (await Client.V1.Invoices.GetAsync(draft.Id)).DefaultSourceId);
    }

    [Fact]
    public async Task An_invoice_for_a_subscription_takes_its_pending_items_and_refuses_a_pending_items_behavior_as_stripe_does()
    {
        var session = await Support.Checkout.SubscribeAsync(Client, fixture.Emulator);
        var ofSubscription = await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = session.CustomerId, Subscription = session.SubscriptionId, Amount = 400, Currency = "usd" });
        var ofCustomer = await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = session.CustomerId, Amount = 999, Currency = "usd" });

        var refused = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Invoices.CreateAsync(
            new InvoiceCreateOptions { Customer = session.CustomerId, Subscription = session.SubscriptionId, PendingInvoiceItemsBehavior = "exclude" }));
        var forSubscription = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = session.CustomerId, Subscription = session.SubscriptionId });

        Assert.Equal((System.Net.HttpStatusCode.BadRequest, "invalid_request_error", "pending_invoice_items_behavior"), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Param));
        Assert.Equal("You may only specify one of these parameters: pending_invoice_items_behavior, subscription.", refused.StripeError.Message);
        Assert.Equal(session.SubscriptionId, forSubscription.Parent.SubscriptionDetails.SubscriptionId);
        Assert.Equal((forSubscription.Id, 400L), ((await Client.V1.InvoiceItems.GetAsync(ofSubscription.Id)).InvoiceId, forSubscription.Total));
        Assert.Null((await Client.V1.InvoiceItems.GetAsync(ofCustomer.Id)).InvoiceId);
    }

    [Fact]
    [Covers("InvoiceService.MarkUncollectibleAsync")]
    public async Task Marking_an_open_invoice_uncollectible_writes_it_off_once_per_idempotency_key_and_it_stays_payable()
    {
        var open = await OpenInvoiceAsync("forgiven@example.com");
        var key = new RequestOptions { IdempotencyKey = "write-off-1" };

        var marked = await Client.V1.Invoices.MarkUncollectibleAsync(open.Id, requestOptions: key);
        var replay = await Client.V1.Invoices.MarkUncollectibleAsync(open.Id, requestOptions: key);
        var events = await Client.V1.Events.ListAsync(new EventListOptions { Types = ["invoice.marked_uncollectible", "invoice.updated"] });
        var listed = await Client.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = open.CustomerId, Status = "uncollectible" });
        var paid = await Client.V1.Invoices.PayAsync(open.Id);

        Assert.Equal("uncollectible", marked.Status);
        Assert.Equal("user_forgiven", marked.StatusDetails.Uncollectible.Reason);
        Assert.NotNull(marked.StatusTransitions.MarkedUncollectibleAt);
        Assert.Equal(700, marked.AmountRemaining);
        Assert.False(marked.AutoAdvance);
        Assert.Equal("true", replay.StripeResponse.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal("uncollectible", replay.Status);
        var written = Assert.Single(events.Data);
        Assert.Equal("invoice.marked_uncollectible", written.Type);
        Assert.Equal("uncollectible", Assert.IsType<Invoice>(written.Data.Object).Status);
        Assert.Equal(open.Id, Assert.Single(listed.Data).Id);
        Assert.Equal("paid", paid.Status);
        Assert.Null(paid.StatusDetails);
    }

    [Fact]
    [Covers("InvoiceService.VoidInvoiceAsync")]
    public async Task Only_an_open_invoice_can_be_marked_uncollectible()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "not-open@example.com" });
        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 700, Currency = "usd" });
        var draft = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, PendingInvoiceItemsBehavior = "include" });
        var paid = await OpenInvoiceAsync("paid@example.com");
        await Client.V1.Invoices.PayAsync(paid.Id);
        var voided = await OpenInvoiceAsync("voided@example.com");
        await Client.V1.Invoices.VoidInvoiceAsync(voided.Id);

        var refused = new List<StripeException>();
        foreach (var id in new[] { draft.Id, paid.Id, voided.Id })
        {
            refused.Add(await Assert.ThrowsAsync<StripeException>(() => Client.V1.Invoices.MarkUncollectibleAsync(id)));
        }

        Assert.All(refused, e => Assert.Equal((System.Net.HttpStatusCode.BadRequest, "invalid_request_error"), (e.HttpStatusCode, e.StripeError.Type)));
        Assert.Equal(["draft", "paid", "void"], await Task.WhenAll(new[] { draft.Id, paid.Id, voided.Id }.Select(async id => (await Client.V1.Invoices.GetAsync(id)).Status)));
        Assert.Empty((await Client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.marked_uncollectible" })).Data);
    }

    [Fact]
    public async Task Marking_a_failed_renewal_uncollectible_makes_the_past_due_subscription_active_again()
    {
        var session = await Support.Checkout.SubscribeAsync(Client, fixture.Emulator);
        await fixture.Emulator.ControlAsync($"/_emulator/customers/{session.CustomerId}/payment_method", new Dictionary<string, string> { ["behavior"] = "failing" });
        await fixture.Emulator.ControlAsync("/_emulator/clock/advance", new Dictionary<string, string> { ["seconds"] = (32 * 86400).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var pastDue = await Client.V1.Subscriptions.GetAsync(session.SubscriptionId);

        await Client.V1.Invoices.MarkUncollectibleAsync(pastDue.LatestInvoiceId);
        var recovered = await Client.V1.Subscriptions.GetAsync(session.SubscriptionId);

        Assert.Equal("past_due", pastDue.Status);
        Assert.Equal("active", recovered.Status);
    }

    /// <summary>A 700 usd invoice of a new customer, finalized without auto-advance.</summary>
    private async Task<Invoice> OpenInvoiceAsync(string email)
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = email });
        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 700, Currency = "usd" });
        var draft = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, PendingInvoiceItemsBehavior = "include" });
        return await Client.V1.Invoices.FinalizeInvoiceAsync(draft.Id, new InvoiceFinalizeOptions { AutoAdvance = false });
    }
}
