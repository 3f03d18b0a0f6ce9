using Billing.Application.StripeEvents;
using Billing.Domain.Subscriptions;
using Billing.EndToEnd.Tests.Support;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>
/// The emulator delivers every event twice and, after holding them, in reverse order: the app stores each event once,
/// acknowledges the duplicates and ends in the state Stripe has now.
/// </summary>
public sealed class DeliveryDisorderTests : IAsyncLifetime
{
    private WebhookStack _stack = null!;

    public async Task InitializeAsync() => _stack = await WebhookStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Duplicated_events_released_in_reverse_order_end_in_stripes_current_state()
    {
        var accountId = "e2e-" + Guid.NewGuid().ToString("N")[..12];
        var emulator = _stack.Emulator!;
        await emulator.ControlAsync("/_emulator/webhooks/duplicates", new Dictionary<string, string> { ["enabled"] = "true" });
        await emulator.ControlAsync("/_emulator/webhooks/hold");

        var customer = await _stack.CreateCustomerAsync(accountId);
        var session = await _stack.CheckoutAsync(accountId, customer.Id, "price_basic_monthly");
        await emulator.ControlAsync($"/_emulator/portal/{customer.Id}/change_price", new Dictionary<string, string> { ["price"] = "price_pro_monthly" });
        await emulator.ControlAsync($"/_emulator/portal/{customer.Id}/cancel_at_period_end");
        await emulator.ControlAsync("/_emulator/webhooks/release", new Dictionary<string, string> { ["order"] = "reverse" });

        var stripe = await _stack.SubscriptionAsync(session.SubscriptionId!);
        var account = await _stack.Data.WaitForAccountAsync(
            accountId,
            a => a.Subscription is { } s && s.PriceId == "price_pro_monthly" && (s.CancelAtPeriodEnd || s.CancelAt is not null),
            "Stripe's final state");
        var stored = account.Subscription!;
        Assert.Equal(stripe.Id, stored.SubscriptionId);
        Assert.Equal(SubscriptionStatus.From(stripe.Status), stored.Status);
        Assert.Equal(stripe.Items.Data[0].Price.Id, stored.PriceId);
        Assert.Equal(stripe.CancelAtPeriodEnd, stored.CancelAtPeriodEnd);
        Assert.Equal(stripe.CancelAt is { } cancelAt ? new DateTimeOffset(cancelAt) : null, stored.CancelAt);
        Assert.Equal(new DateTimeOffset(stripe.Items.Data[0].CurrentPeriodStart), stored.CurrentPeriodStart);
        Assert.Equal(new DateTimeOffset(stripe.Items.Data[0].CurrentPeriodEnd), stored.CurrentPeriodEnd);
        Assert.Equal("PRO", stored.PlanCode?.Value);

        // Every event Stripe raised is stored once and done; the second copies were acknowledged as duplicates.
        var events = await _stack.Stripe.V1.Events.ListAutoPagingAsync(new Stripe.EventListOptions()).ToListAsync();
        Assert.True(events.Count >= 8, $"only {events.Count} events");
        foreach (var stripeEvent in events)
        {
            var record = await _stack.Data.WaitForEventAsync(stripeEvent.Id, e => e.Status.IsFinal(), "done");
            Assert.Equal(stripeEvent.Type, record.Type);
        }

        await Eventually.UntilAsync(() => Task.FromResult(_stack.App.CountOutput("delivered again") >= events.Count), "every duplicate acknowledged");
    }
}
