using Billing.StripeEmulator.Tests.StripeNet.Support;
using Stripe;

namespace Billing.StripeEmulator.Tests.StripeNet;

[Collection(SharedStripeNetEmulator.Name)]
public sealed class SubscriptionTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    [Covers("SubscriptionService.GetAsync", "SubscriptionService.ListAsync", "SubscriptionService.ListAutoPagingAsync")]
    public async Task Subscriptions_read_back_and_list_by_customer_over_several_pages()
    {
        var first = await Checkout.SubscribeAsync(Client, fixture.Emulator);
        for (var i = 0; i < 2; i++)
        {
            var session = await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Subscription(i == 0 ? "price_basic_monthly" : "price_enterprise_monthly", "tenant_1", customer: first.CustomerId));
            await Checkout.CompleteAsync(fixture.Emulator, session.Id);
        }

        var subscription = await Client.V1.Subscriptions.GetAsync(first.SubscriptionId, new SubscriptionGetOptions { Expand = ["latest_invoice"] });
        var page = await Client.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = first.CustomerId, Limit = 2 });
        var all = new List<Subscription>();
        await foreach (var s in Client.V1.Subscriptions.ListAutoPagingAsync(new SubscriptionListOptions { Customer = first.CustomerId, Limit = 1 }))
        {
            all.Add(s);
        }

        Assert.Equal("active", subscription.Status);
        Assert.Equal(first.CustomerId, subscription.CustomerId);
        Assert.Equal("paid", subscription.LatestInvoice.Status);
        Assert.Equal(subscription.Id, subscription.LatestInvoice.Parent.SubscriptionDetails.SubscriptionId);
        Assert.Equal(4900, subscription.LatestInvoice.AmountPaid);
        Assert.True(page.HasMore);
        Assert.Equal(3, all.Select(s => s.Id).Distinct().Count());
    }

    [Fact]
    [Covers("SubscriptionService.UpdateAsync")]
    public async Task A_price_change_and_cancel_at_period_end_update_the_subscription()
    {
        var session = await Checkout.SubscribeAsync(Client, fixture.Emulator);
        var before = await Client.V1.Subscriptions.GetAsync(session.SubscriptionId);

        var changed = await Client.V1.Subscriptions.UpdateAsync(before.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = before.Items.Data[0].Id, Price = "price_enterprise_monthly" }],
            ProrationBehavior = "none",
            Metadata = new Dictionary<string, string> { ["plan"] = "enterprise" },
        });
        var canceling = await Client.V1.Subscriptions.UpdateAsync(before.Id, new SubscriptionUpdateOptions { CancelAtPeriodEnd = true });

        Assert.Equal("price_enterprise_monthly", changed.Items.Data[0].Price.Id);
        Assert.Equal("enterprise", changed.Metadata["plan"]);
        Assert.True(canceling.CancelAtPeriodEnd);
        Assert.Equal(canceling.Items.Data[0].CurrentPeriodEnd, canceling.CancelAt);
        Assert.Equal("active", canceling.Status);
    }

    [Fact]
    [Covers("SubscriptionService.CancelAsync")]
    public async Task Cancel_now_with_prorate_and_invoice_now_credits_the_unused_time_on_a_final_invoice()
    {
        var session = await Checkout.SubscribeAsync(Client, fixture.Emulator);
        await fixture.Emulator.ControlAsync("/_emulator/clock/advance", new Dictionary<string, string> { ["seconds"] = "864000" });

        var canceled = await Client.V1.Subscriptions.CancelAsync(session.SubscriptionId, new SubscriptionCancelOptions { Prorate = true, InvoiceNow = true });
        var final = await Client.V1.Invoices.GetAsync(canceled.LatestInvoiceId);
        await fixture.Receiver.WaitForTypesAsync("customer.subscription.deleted");

        Assert.Equal("canceled", canceled.Status);
        Assert.NotNull(canceled.EndedAt);
        Assert.Equal("paid", final.Status);
        Assert.Equal(0, final.AmountDue);
        var credit = Assert.Single(final.Lines.Data);
        Assert.True(credit.Amount < 0 && credit.Amount > -4900, $"credit {credit.Amount}");
        Assert.True(credit.Parent.InvoiceItemDetails.Proration);
        // Stripe answers a second cancel as it does an unknown id: a canceled subscription is "akin to being deleted".
        var again = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Subscriptions.CancelAsync(session.SubscriptionId));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, again.HttpStatusCode);
        Assert.Equal("resource_missing", again.StripeError.Code);
        Assert.Equal("id", again.StripeError.Param);
    }

    [Fact]
    [Covers("SubscriptionService.CancelAsync")]
    public async Task Cancel_now_without_options_ends_the_subscription_without_an_invoice()
    {
        var session = await Checkout.SubscribeAsync(Client, fixture.Emulator);

        var canceled = await Client.V1.Subscriptions.CancelAsync(session.SubscriptionId);
        var invoices = await Client.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = session.SubscriptionId });

        Assert.Equal("canceled", canceled.Status);
        Assert.Equal("cancellation_requested", canceled.CancellationDetails.Reason);
        Assert.Single(invoices.Data);
    }
}
