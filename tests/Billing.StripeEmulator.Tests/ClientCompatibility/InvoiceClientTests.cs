using Billing.Stripe;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.InvoiceItems;
using Billing.Stripe.Invoices;
using Billing.StripeEmulator.Tests.ClientCompatibility.Support;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

[Collection(SharedEmulator.Name)]
public sealed class InvoiceClientTests(ClientEmulatorFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset UsageStart = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    private IStripeClient Stripe => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Invoice_items_priced_by_price_or_by_amount_read_back_in_minor_units()
    {
        var customer = await NewCustomerAsync("items@example.com");

        var credits = await Stripe.InvoiceItems.CreateAsync(new InvoiceItemCreateRequest
        {
            Customer = customer,
            Pricing = new() { Price = "price_credits_1000" },
            Quantity = 2,
            Metadata = new Dictionary<string, string> { ["kind"] = "credits" },
        });
        var overage = await Stripe.InvoiceItems.CreateAsync(new InvoiceItemCreateRequest
        {
            Customer = customer,
            Amount = 555,
            Currency = "usd",
            Description = "API overage",
            Period = new() { Start = UsageStart, End = UsageStart.AddDays(1) },
        });

        Assert.StartsWith("ii_", credits.Id);
        Assert.Equal(StripeObjectTypes.InvoiceItem, credits.ObjectType);
        Assert.Equal(2000, credits.Amount);
        Assert.Equal("usd", credits.Currency);
        Assert.Equal(2, credits.Quantity);
        Assert.Equal(customer, credits.Customer!.Id);
        Assert.Null(credits.Invoice);
        Assert.Equal("price_details", credits.Pricing!.Type);
        Assert.Equal("price_credits_1000", credits.Pricing.PriceDetails!.Price);
        Assert.Equal("prod_credits", credits.Pricing.PriceDetails.Product);
        Assert.Equal("credits", credits.Metadata!["kind"]);
        Assert.False(credits.Proration);
        Assert.Equal(555, overage.Amount);
        Assert.Equal("usd", overage.Currency);
        Assert.Equal("API overage", overage.Description);
        Assert.Equal(new StripePeriod { Start = UsageStart, End = UsageStart.AddDays(1) }, overage.Period);
        Assert.Null(overage.Pricing!.PriceDetails);
    }

    [Fact]
    public async Task An_invoice_is_created_with_pending_items_finalized_and_paid()
    {
        var customer = await NewCustomerAsync("billing@example.com");
        var credits = await Stripe.InvoiceItems.CreateAsync(new InvoiceItemCreateRequest { Customer = customer, Pricing = new() { Price = "price_credits_1000" }, Quantity = 2 });
        await Stripe.InvoiceItems.CreateAsync(new InvoiceItemCreateRequest { Customer = customer, Amount = 555, Currency = "usd", Description = "API overage" });

        var draft = await Stripe.Invoices.CreateAsync(new InvoiceCreateRequest
        {
            Customer = customer,
            PendingInvoiceItemsBehavior = PendingInvoiceItemsBehaviors.Include,
            CollectionMethod = CollectionMethods.ChargeAutomatically,
            AutoAdvance = false,
            Description = "Usage for October",
            Metadata = new Dictionary<string, string> { ["run"] = "2026-10" },
        });
        var open = await Stripe.Invoices.FinalizeAsync(draft.Id);
        var paid = await Stripe.Invoices.PayAsync(draft.Id);
        var fetched = await Stripe.Invoices.GetAsync(draft.Id, RetrieveRequest.Expanding("customer"));

        Assert.StartsWith("in_", draft.Id);
        Assert.Equal(StripeObjectTypes.Invoice, draft.ObjectType);
        Assert.Equal(InvoiceStatuses.Draft, draft.Status);
        Assert.Null(draft.Number);
        Assert.Equal("manual", draft.BillingReason);
        Assert.Equal(CollectionMethods.ChargeAutomatically, draft.CollectionMethod);
        Assert.False(draft.AutoAdvance);
        Assert.Equal("usd", draft.Currency);
        Assert.Equal(2555, draft.Subtotal);
        Assert.Equal(2555, draft.Total);
        Assert.Equal(2555, draft.AmountDue);
        Assert.Equal(0, draft.AmountPaid);
        Assert.Equal("Usage for October", draft.Description);
        Assert.Equal("2026-10", draft.Metadata!["run"]);
        Assert.Null(draft.SubscriptionId);
        Assert.Equal(2, draft.Lines!.Data.Count);
        var creditsLine = draft.Lines.Data.Single(l => l.Parent?.InvoiceItemDetails?.InvoiceItem == credits.Id);
        Assert.Equal(2000, creditsLine.Amount);
        Assert.Equal(2, creditsLine.Quantity);
        Assert.Equal("price_credits_1000", creditsLine.Pricing!.PriceDetails!.Price);

        Assert.Equal(InvoiceStatuses.Open, open.Status);
        Assert.False(string.IsNullOrEmpty(open.Number));
        Assert.NotNull(open.StatusTransitions!.FinalizedAt);
        Assert.StartsWith(fixture.Emulator.ApiBase.ToString(), open.HostedInvoiceUrl);

        Assert.Equal(InvoiceStatuses.Paid, paid.Status);
        Assert.Equal(2555, paid.AmountPaid);
        Assert.Equal(0, paid.AmountRemaining);
        Assert.NotNull(paid.StatusTransitions!.PaidAt);
        Assert.True(paid.Attempted);

        Assert.Equal(InvoiceStatuses.Paid, fetched.Status);
        Assert.Equal(open.Number, fetched.Number);
        Assert.Equal("billing@example.com", fetched.Customer!.Expanded!.Email);
    }

    [Fact]
    public async Task An_item_can_go_onto_a_draft_and_an_invoice_can_be_paid_out_of_band()
    {
        var customer = await NewCustomerAsync("oob@example.com");
        var draft = await Stripe.Invoices.CreateAsync(new InvoiceCreateRequest { Customer = customer, Currency = "usd" });

        var item = await Stripe.InvoiceItems.CreateAsync(new InvoiceItemCreateRequest { Customer = customer, Invoice = draft.Id, Amount = 1234, Currency = "usd" });
        var finalized = await Stripe.Invoices.FinalizeAsync(draft.Id, new InvoiceFinalizeRequest { AutoAdvance = false });
        var paid = await Stripe.Invoices.PayAsync(draft.Id, new InvoicePayRequest { PaidOutOfBand = true });

        Assert.Equal(draft.Id, item.Invoice!.Id);
        Assert.Equal(1234, finalized.AmountDue);
        Assert.Equal(InvoiceStatuses.Open, finalized.Status);
        Assert.Equal(InvoiceStatuses.Paid, paid.Status);
    }

    [Fact]
    public async Task Lists_filter_by_customer_and_status_and_auto_paging_crosses_every_page_newest_first()
    {
        var customer = await NewCustomerAsync("many@example.com");
        var other = await NewCustomerAsync("other@example.com");
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await Stripe.Invoices.CreateAsync(new InvoiceCreateRequest { Customer = customer, Metadata = new Dictionary<string, string> { ["n"] = $"{i}" } })).Id);
        }

        await Stripe.Invoices.CreateAsync(new InvoiceCreateRequest { Customer = other });
        var paidOne = await Stripe.Invoices.FinalizeAsync(created[0]);

        var page = await Stripe.Invoices.ListAsync(new InvoiceListRequest { Customer = customer, Limit = 2 });
        fixture.Requests.Clear();
        var all = await Stripe.Invoices.ListAutoPagingAsync(new InvoiceListRequest { Customer = customer, Limit = 2 }).ToListAsync();
        var pages = fixture.Requests.Exchanges.Count;
        var drafts = await Stripe.Invoices.ListAsync(new InvoiceListRequest { Customer = customer, Status = InvoiceStatuses.Draft });
        var recent = await Stripe.Invoices.ListAsync(new InvoiceListRequest { Created = new StripeDateRange { Gte = DateTimeOffset.UtcNow.AddHours(-1) }, Limit = 100 });

        Assert.Equal(StripeObjectTypes.List, page.ObjectType);
        Assert.True(page.HasMore);
        Assert.Equal([created[4], created[3]], page.Data.Select(i => i.Id));
        Assert.Equal(Enumerable.Reverse(created), all.Select(i => i.Id));
        Assert.Equal(3, pages);
        Assert.Equal(InvoiceStatuses.Paid, paidOne.Status);
        Assert.Equal(4, drafts.Data.Count);
        Assert.DoesNotContain(created[0], drafts.Data.Select(i => i.Id));
        Assert.Equal(6, recent.Data.Count);
        Assert.False(recent.HasMore);
    }

    private async Task<string> NewCustomerAsync(string email) =>
        (await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = email })).Id;
}
