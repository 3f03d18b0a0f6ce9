using Billing.Stripe;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.Events;
using Billing.Stripe.Invoices;
using Billing.StripeEmulator.Tests.ClientCompatibility.Support;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

[Collection(SharedEmulator.Name)]
public sealed class EventClientTests(ClientEmulatorFixture fixture) : IAsyncLifetime
{
    private IStripeClient Stripe => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_event_is_listed_by_type_and_read_by_id_with_its_request_and_typed_object()
    {
        var customer = await Stripe.Customers.CreateAsync(
            new CustomerCreateRequest { Email = "events@example.com", Metadata = new Dictionary<string, string> { ["tenant_id"] = "t_e" } },
            new StripeRequestOptions { IdempotencyKey = "customer:t_e:create" });

        var listed = await Stripe.Events.ListAsync(new EventListRequest { Type = StripeEventTypes.CustomerCreated });
        var summary = Assert.Single(listed.Data);
        var fetched = await Stripe.Events.GetAsync(summary.Id);

        Assert.StartsWith("evt_", fetched.Id);
        Assert.Equal(StripeObjectTypes.Event, fetched.ObjectType);
        Assert.Equal(StripeEventTypes.CustomerCreated, fetched.Type);
        Assert.Equal(StripeApiVersion.Current, fetched.ApiVersion);
        Assert.False(fetched.Livemode);
        Assert.Equal(summary.Created, fetched.Created);
        Assert.Equal("customer:t_e:create", fetched.Request!.IdempotencyKey);
        Assert.StartsWith("req_", fetched.Request.Id);
        Assert.Equal(StripeObjectTypes.Customer, fetched.Data.ObjectType);
        var data = fetched.Data.ToCustomer();
        Assert.Equal(customer.Id, data.Id);
        Assert.Equal("t_e", data.Metadata!["tenant_id"]);
        Assert.Throws<InvalidOperationException>(() => fetched.Data.ToSubscription());
    }

    [Fact]
    public async Task Lists_filter_by_wildcard_type_types_and_created_and_auto_paging_crosses_pages()
    {
        for (var i = 0; i < 5; i++)
        {
            await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = $"e{i}@example.com" });
        }

        var customer = (await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "invoiced@example.com" })).Id;
        var invoice = await Stripe.Invoices.CreateAsync(new InvoiceCreateRequest { Customer = customer });
        await Stripe.Invoices.FinalizeAsync(invoice.Id);

        var invoiceEvents = await Stripe.Events.ListAsync(new EventListRequest { Type = "invoice.*" });
        var chosen = await Stripe.Events.ListAsync(new EventListRequest { Types = [StripeEventTypes.InvoiceCreated, StripeEventTypes.InvoicePaid] });
        var firstPage = await Stripe.Events.ListAsync(new EventListRequest { Type = StripeEventTypes.CustomerCreated, Limit = 4 });
        var everyCustomerCreated = await Stripe.Events.ListAutoPagingAsync(new EventListRequest { Type = StripeEventTypes.CustomerCreated, Limit = 4 }).ToListAsync();
        var sinceAnHourAgo = await Stripe.Events.ListAutoPagingAsync(new EventListRequest { Created = new StripeDateRange { Gte = DateTimeOffset.UtcNow.AddHours(-1) } }).ToListAsync();
        var future = await Stripe.Events.ListAsync(new EventListRequest { Created = new StripeDateRange { Gt = DateTimeOffset.UtcNow.AddHours(1) } });

        Assert.All(invoiceEvents.Data, e => Assert.StartsWith("invoice.", e.Type));
        Assert.Contains(invoiceEvents.Data, e => e.Type == StripeEventTypes.InvoiceFinalized);
        Assert.Equal([StripeEventTypes.InvoicePaid, StripeEventTypes.InvoiceCreated], chosen.Data.Select(e => e.Type));
        Assert.True(firstPage.HasMore);
        Assert.Equal(6, everyCustomerCreated.Count);
        Assert.Equal(6, everyCustomerCreated.Select(e => e.Id).Distinct().Count());
        Assert.True(everyCustomerCreated.Zip(everyCustomerCreated.Skip(1)).All(pair => pair.First.Created >= pair.Second.Created), "events come newest first");
        Assert.Equal(6 + invoiceEvents.Data.Count, sinceAnHourAgo.Count);
        Assert.Empty(future.Data);
        Assert.All(chosen.Data, e => Assert.Equal(invoice.Id, e.Data.ToInvoice().Id));
    }
}
