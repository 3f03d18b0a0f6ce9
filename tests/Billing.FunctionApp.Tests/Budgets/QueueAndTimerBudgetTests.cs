using System.Net.Http.Headers;
using System.Text.Json;
using Billing.Application.StripeEvents;
using Billing.FunctionApp.Api;
using Billing.FunctionApp.Jobs;
using Billing.FunctionApp.Webhooks;
using Billing.Infrastructure.StripeApi;
using Billing.TestSupport;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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
        await SubscribeAsync();

        var (subscriptionCreated, subscription) = await EventOfAsync("customer.subscription.created");
        var first = await DeliverAsync(subscriptionCreated);
        var redelivered = await ProcessAsync(subscriptionCreated, deliveryAttempt: 2);

        Assert.Equal(
            [
                "read stripe-events", "patch stripe-events", "read stripe-customers", "stripe GET /v1/subscriptions/" + subscription,
                "read account", "read account", "patch stripe-events", "upsert account-event",
            ],
            first);
        Assert.Equal(["read stripe-events", "upsert account-event"], redelivered);
    }

    [Fact]
    public async Task A_completed_subscription_Checkout_reads_Stripe_once_and_writes_the_account_twice()
    {
        Assert.Equal(200, await app.CallAsync<CheckoutFunction>((f, r) => f.Run(r, default), _account, json: """{"plan":"PRO","interval":"month"}"""));
        await CompleteAsync();

        var (completed, subscription) = await EventOfAsync("checkout.session.completed");
        var requests = await DeliverAsync(completed);

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
        await SubscribeAsync();
        Assert.Equal(200, await app.CallAsync<CreditsFunctions>((f, r) => f.BuyAddOn(r, default), _account, json: """{"addOn":"EXTRA_PROJECTS_5"}"""));
        await CompleteAsync();

        var requests = await DeliverAsync((await EventOfAsync("checkout.session.completed")).Event);

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
    public async Task An_event_type_without_a_handler_is_recorded_ignored_without_reading_anything_else()
    {
        var id = "evt_ign" + Guid.NewGuid().ToString("N")[..12];
        var stripeEvent = JsonDocument.Parse($$"""{"id":"{{id}}","object":"event","api_version":"2026-10-28.endive","created":{{app.Time.GetUtcNow().ToUnixTimeSeconds()}},"livemode":false,"pending_webhooks":1,"type":"customer.updated","data":{"object":{"id":"cus_budget","object":"customer"} } }""").RootElement;

        var requests = await DeliverAsync(stripeEvent);

        Assert.Equal(["read stripe-events", "patch stripe-events", "patch stripe-events"], requests);
    }

    [Fact]
    public async Task A_sweep_with_nothing_overdue_reads_its_position_lists_once_and_writes_its_position()
    {
        await RequestsOfAsync(SweepAsync); // the position's first write

        var requests = await RequestsOfAsync(SweepAsync);

        Assert.Equal(["read sweep-position", "cross-partition query accounts", "read sweep-position", "replace sweep-position"], requests);
    }

    private Task SweepAsync() => app.RunAsync<MissedEventSweepFunction>(f => f.Run(new TimerInfo(), default));

    /// <summary>A PRO subscription bought through Checkout, its events up to the completed session processed.</summary>
    private async Task SubscribeAsync()
    {
        Assert.Equal(200, await app.CallAsync<CheckoutFunction>((f, r) => f.Run(r, default), _account, json: """{"plan":"PRO","interval":"month"}"""));
        await CompleteAsync();
        await DeliverAsync((await EventOfAsync("checkout.session.completed")).Event);
    }

    /// <summary>The newest event of <paramref name="type"/> about this test's customer, and the subscription it names (if any).</summary>
    private async Task<(JsonElement Event, string? Subscription)> EventOfAsync(string type)
    {
        var customer = await CustomerAsync();
        var events = (await StripeGetAsync("/v1/events?limit=100&type=" + type)).GetProperty("data").EnumerateArray();
        var found = events.First(e => e.GetProperty("data").GetProperty("object") is var o
                                      && (o.TryGetProperty("customer", out var c) ? c.GetString() : o.GetProperty("id").GetString()) == customer);
        var data = found.GetProperty("data").GetProperty("object");
        var subscription = data.TryGetProperty("subscription", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()
            : data.GetProperty("object").GetString() == "subscription" ? data.GetProperty("id").GetString() : null;
        return (found, subscription);
    }

    /// <summary>The event as Stripe sends it to the webhook, which keeps it; then the requests of its first delivery from the queue.</summary>
    private async Task<IReadOnlyList<string>> DeliverAsync(JsonElement stripeEvent)
    {
        var body = stripeEvent.GetRawText();
        var signature = StripeSigner.Header(app.Time.GetUtcNow(), body, app.Services.GetRequiredService<IOptions<StripeOptions>>().Value.WebhookSecrets[0]);
        Assert.Equal(200, await app.CallAsync<StripeWebhookFunction>((f, r) => f.Run(r, default), "stripe", json: body, headers: new Dictionary<string, string> { ["Stripe-Signature"] = signature }));
        return await ProcessAsync(stripeEvent, deliveryAttempt: 1);
    }

    private Task<IReadOnlyList<string>> ProcessAsync(JsonElement stripeEvent, long deliveryAttempt)
    {
        var message = new StripeEventQueueMessage { EventId = stripeEvent.GetProperty("id").GetString()!, Type = stripeEvent.GetProperty("type").GetString() }.ToJson();
        return RequestsOfAsync(() => app.RunAsync<ProcessStripeEventFunction>(f => f.Run(message, deliveryAttempt, default)));
    }

    /// <summary>Pays this test's open Checkout Session on Stripe's page (the emulator's control).</summary>
    private async Task CompleteAsync()
    {
        var sessions = (await StripeGetAsync("/v1/checkout/sessions?limit=100")).GetProperty("data").EnumerateArray();
        var open = sessions.First(s => s.GetProperty("client_reference_id").GetString() == _account && s.GetProperty("status").GetString() == "open");
        await app.Stripe.ControlAsync($"/_emulator/checkout/sessions/{open.GetProperty("id").GetString()}/complete", new Dictionary<string, string> { ["payment_method"] = "succeeding" });
    }

    private async Task<string> CustomerAsync()
    {
        var sessions = (await StripeGetAsync("/v1/checkout/sessions?limit=100")).GetProperty("data").EnumerateArray();
        return sessions.First(s => s.GetProperty("client_reference_id").GetString() == _account).GetProperty("customer").GetString()!;
    }

    private async Task<JsonElement> StripeGetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StripeEmulatorProcess.SecretKey);
        using var response = await app.Stripe.Controls.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<IReadOnlyList<string>> RequestsOfAsync(Func<Task> call)
    {
        app.Requests.Take();
        await call();
        return app.Requests.Take();
    }
}
