using System.Text.Json;
using Billing.FunctionApp.Api;
using Billing.FunctionApp.Jobs;
using Microsoft.Azure.Functions.Worker;

namespace Billing.FunctionApp.Tests.Budgets;

/// <summary>
/// What one invocation of a queue- or timer-triggered function costs in Cosmos DB, Stripe and queue requests
/// (docs/data-model.md, "Cost per function"), counted as <see cref="RequestBudgetTests"/> counts the endpoints: Stripe's
/// events are the emulator's own, signed and kept by the webhook as Stripe delivers them, then taken from the queue.
/// Every list is the whole of what the invocation sent.
/// </summary>
public sealed class QueueAndTimerBudgetTests(BudgetApp app) : IClassFixture<BudgetApp>
{
    private readonly string _account = "budget-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task A_subscription_event_after_its_Checkout_reads_Stripe_once_and_leaves_the_account_unwritten()
    {
        await app.SubscribeAsync(_account);

        var (subscriptionCreated, subscription) = await app.EventOfAsync(_account, "customer.subscription.created");
        var first = await app.DeliverAsync(subscriptionCreated);
        var redelivered = await app.ProcessAsync(subscriptionCreated, deliveryAttempt: 2);

        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", "read stripe-customers", "stripe GET /v1/subscriptions/" + subscription,
                "read account", "read account", "patch stripe-events", "upsert account-event",
            ],
            first);
        Assert.Equal(["read stripe-events", "upsert account-event"], redelivered);
    }

    [Fact]
    public async Task A_subscription_event_read_later_than_the_clock_skew_rewrites_the_account_with_the_newer_read()
    {
        await app.SubscribeAsync(_account);
        app.Time.Advance(TimeSpan.FromMinutes(1)); // beyond the 5 s within which two reads of the same state are one
        await app.WarmAsync();

        var (_, subscription) = await app.EventOfAsync(_account, "customer.subscription.created");
        var (paid, _) = await app.EventOfAsync(_account, "invoice.paid");
        var requests = await app.DeliverAsync(paid);

        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", "read stripe-customers", "stripe GET /v1/subscriptions/" + subscription,
                "read account", "read account", "replace account", "read account-summary", "replace account-summary", // the same state, dated later
                "patch stripe-events", "upsert account-event",
            ],
            requests);
    }

    [Fact]
    public async Task A_completed_subscription_Checkout_reads_Stripe_once_and_writes_the_account_twice()
    {
        Assert.Equal(200, await app.CallAsync<CheckoutFunction>((f, r) => f.Run(r, default), _account, json: """{"plan":"PRO","interval":"month"}"""));
        await app.CompleteCheckoutAsync(_account);

        var (completed, subscription) = await app.EventOfAsync(_account, "checkout.session.completed");
        var requests = await app.DeliverAsync(completed);

        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", "read stripe-customers", "read account", "stripe GET /v1/subscriptions/" + subscription,
                "read account", "read account", "replace account", "read account-summary", "replace account-summary", // the subscription applied
                "read account", "replace account", "read account-summary", "replace account-summary", // the session no longer the open Checkout
                "patch stripe-events", "upsert account-event",
            ],
            requests);
    }

    [Fact]
    public async Task A_completed_add_on_Checkout_reads_the_account_once_before_granting_it_and_never_to_clear_its_session()
    {
        await app.SubscribeAsync(_account);
        Assert.Equal(200, await app.CallAsync<CreditsFunctions>((f, r) => f.BuyAddOn(r, default), _account, json: """{"addOn":"EXTRA_PROJECTS_5"}"""));
        await app.CompleteCheckoutAsync(_account);

        var requests = await app.DeliverAsync((await app.EventOfAsync(_account, "checkout.session.completed")).Event);

        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", "read stripe-customers", "read account",
                "read account", "replace account", "read account-summary", "replace account-summary", // the add-on granted
                "read account", "read account", // the units it includes refreshed; an early refund looked for again
                "patch stripe-events", "upsert account-event",
            ],
            requests);
    }

    [Fact]
    public async Task A_refunded_pack_reads_the_charge_and_its_refunds_before_taking_its_credit_back_and_again_after()
    {
        Assert.Equal(200, await app.CallAsync<CreditsFunctions>((f, r) => f.BuyCredits(r, default), _account, json: """{"pack":"CREDITS_10"}"""));
        await app.CompleteCheckoutAsync(_account);
        await app.DeliverAsync((await app.EventOfAsync(_account, "checkout.session.completed")).Event);
        var intent = (await app.StripeAsync(HttpMethod.Get, "/v1/checkout/sessions?limit=100")).GetProperty("data").EnumerateArray()
            .First(s => s.GetProperty("client_reference_id").GetString() == _account).GetProperty("payment_intent").GetString()!;
        await app.StripeAsync(HttpMethod.Post, "/v1/refunds", new Dictionary<string, string> { ["payment_intent"] = intent });

        var (refunded, _) = await app.EventOfAsync(_account, "charge.refunded");
        var charge = "stripe GET /v1/charges/" + refunded.GetProperty("data").GetProperty("object").GetProperty("id").GetString();
        var requests = await app.DeliverAsync(refunded);

        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", charge, "stripe GET /v1/refunds", "read stripe-customers",
                "read credits", "read credits", "read credit-entry", "read credits", "replace credits", "create credit-entry", "read credits", "replace credits", // the reversal posted
                "read account", // no add-on to revoke
                charge, "stripe GET /v1/refunds", // a failure of the refund meanwhile given back
                "patch stripe-events", "upsert account-event",
            ],
            requests);
    }

    [Fact]
    public async Task An_event_type_without_a_handler_is_recorded_ignored_without_reading_anything_else()
    {
        var id = "evt_ign" + Guid.NewGuid().ToString("N")[..12];
        var stripeEvent = JsonDocument.Parse($$"""{"id":"{{id}}","object":"event","api_version":"2026-10-28.endive","created":{{app.Time.GetUtcNow().ToUnixTimeSeconds()}},"livemode":false,"pending_webhooks":1,"type":"customer.updated","data":{"object":{"id":"cus_budget","object":"customer"} } }""").RootElement;

        var requests = await app.DeliverAsync(stripeEvent);

        Assert.Equal(["read stripe-events", "patch stripe-events", "patch stripe-events"], requests);
    }

    [Fact]
    public async Task A_sweep_with_nothing_overdue_reads_its_position_and_lists_once()
    {
        await app.RequestsOfAsync(SweepAsync); // the position's first write

        var requests = await app.RequestsOfAsync(SweepAsync);

        Assert.Equal(["read sweep-position", "cross-partition query accounts"], requests);
    }

    private Task SweepAsync() => app.RunAsync<MissedEventSweepFunction>(f => f.Run(new TimerInfo(), default));
}
