using Billing.StripeEmulator.Tests.StripeNet.Support;
using Stripe;

namespace Billing.StripeEmulator.Tests.StripeNet;

[Collection(SharedStripeNetEmulator.Name)]
public sealed class EventTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    [Covers("EventService.ListAsync", "EventService.GetAsync", "EventService.ListAutoPagingAsync")]
    public async Task Events_list_by_type_read_by_id_as_typed_objects_and_auto_page()
    {
        var session = await Checkout.SubscribeAsync(Client, fixture.Emulator);

        var invoiceEvents = await Client.V1.Events.ListAsync(new EventListOptions { Type = "invoice.*", Limit = 2 });
        var paid = await Client.V1.Events.ListAsync(new EventListOptions { Types = ["invoice.paid"] });
        var fetched = await Client.V1.Events.GetAsync(paid.Data[0].Id);
        var all = new List<Event>();
        await foreach (var e in Client.V1.Events.ListAutoPagingAsync(new EventListOptions { Limit = 2 }))
        {
            all.Add(e);
        }

        Assert.True(invoiceEvents.HasMore);
        Assert.All(invoiceEvents.Data, e => Assert.StartsWith("invoice.", e.Type));
        Assert.Equal("2026-10-28.endive", fetched.ApiVersion);
        Assert.Null(fetched.Request.Id);
        var invoice = Assert.IsType<Invoice>(fetched.Data.Object);
        Assert.Equal(session.SubscriptionId, invoice.Parent.SubscriptionDetails.SubscriptionId);
        Assert.Equal(
            ["customer.created", "checkout.session.completed", "customer.subscription.created", "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded"],
            Enumerable.Reverse(all).Select(e => e.Type));
    }

    [Fact]
    [Covers("EventService.GetAsync")]
    public async Task An_update_event_carries_the_request_and_previous_attributes()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "old@example.com" });
        await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { Email = "new@example.com" }, new RequestOptions { IdempotencyKey = "update-email-1" });

        var updated = (await Client.V1.Events.ListAsync(new EventListOptions { Type = "customer.updated" })).Data.Single();
        var fetched = await Client.V1.Events.GetAsync(updated.Id);

        Assert.Equal("new@example.com", Assert.IsType<Customer>(fetched.Data.Object).Email);
        Assert.Equal("old@example.com", fetched.Data.PreviousAttributes["email"]!.ToString());
        Assert.StartsWith("req_", fetched.Request.Id);
        Assert.Equal("update-email-1", fetched.Request.IdempotencyKey);
    }
}
