using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Billing.Application.StripeEvents;
using Billing.Domain.Subscriptions;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>
/// A Stripe outage: the processor cannot read the subscription, the message fails maxDequeueCount times and lands in
/// the poison queue with the event marked failed. After Stripe is back (the app restarted with a working Stripe),
/// the CLI lists the poison message and replays it, and the account ends active.
/// </summary>
public sealed class PoisonReplayTests : IAsyncLifetime
{
    private readonly RefusingPort _stripeDown = FreePort.Refusing();
    private WebhookStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await WebhookStack.StartAsync(registerWebhook: false, stripeApiBase: _stripeDown.Url); // Stripe down for the app

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _stripeDown.Dispose();
    }

    [Fact]
    public async Task A_message_poisoned_during_a_stripe_outage_is_listed_and_replayed_with_the_cli()
    {
        var accountId = "e2e-" + Guid.NewGuid().ToString("N")[..12];
        var customer = await _stack.CreateCustomerAsync(accountId);
        var session = await _stack.CheckoutAsync(accountId, customer.Id, "price_pro_monthly");
        var (eventId, body) = await RawEventAsync("customer.subscription.created", session.SubscriptionId!);

        using (var delivered = await _stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret)))
        {
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }

        var poison = TestQueues.Client(_stack.Emulators.StorageConnectionString, _stack.QueueName + "-poison");
        await Eventually.UntilAsync(async () => (await poison.PeekTextsAsync()).Any(m => m.Contains(eventId, StringComparison.Ordinal)), "the poison message", TimeSpan.FromSeconds(60));
        var failed = await _stack.Data.WaitForEventAsync(eventId, e => e.Status == StripeEventStatus.Failed && e.Attempts == WebhookStack.MaxDequeueCount, "failed 3 times");
        Assert.StartsWith($"Attempt {WebhookStack.MaxDequeueCount}: PaymentProviderException", failed.Note, StringComparison.Ordinal);

        // Stripe is back.
        await _stack.RestartAppAsync(s => s["Stripe__ApiBase"] = _stack.Emulator!.ApiBase.ToString().TrimEnd('/'));

        var list = await CliRun.RunAsync("admin", "poison", "list", "--url", _stack.App.BaseAddress.ToString(), "--settings", CliRun.DevelopmentSettings);
        Assert.True(list.ExitCode == 0, list.Error);
        using (var listing = JsonDocument.Parse(list.Output))
        {
            var message = listing.RootElement.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("eventId").GetString() == eventId);
            Assert.Equal("failed", message.GetProperty("status").GetString());
            Assert.Equal("customer.subscription.created", message.GetProperty("eventType").GetString());
            Assert.Equal(WebhookStack.MaxDequeueCount, message.GetProperty("attempts").GetInt32());
        }

        var replay = await CliRun.RunAsync("admin", "poison", "replay", "--event", eventId, "--event", "evt_not_in_poison", "--url", _stack.App.BaseAddress.ToString(), "--settings", CliRun.DevelopmentSettings);
        Assert.True(replay.ExitCode == 1, replay.Error); // the one it has is replayed; the typo fails the command
        Assert.Contains("not in the poison queue, so not replayed: evt_not_in_poison", replay.Error, StringComparison.Ordinal);
        using (var result = JsonDocument.Parse(replay.Output))
        {
            Assert.Equal(eventId, Assert.Single(result.RootElement.GetProperty("replayed").EnumerateArray()).GetProperty("eventId").GetString());
            Assert.Equal("evt_not_in_poison", Assert.Single(result.RootElement.GetProperty("notFound").EnumerateArray()).GetString());
        }

        var account = await _stack.Data.WaitForAccountAsync(accountId, a => a.Subscription?.Status == SubscriptionStatus.Active, "active after the replay");
        Assert.Equal(session.SubscriptionId, account.Subscription!.SubscriptionId);
        var applied = await _stack.Data.WaitForEventAsync(eventId, e => e.Status == StripeEventStatus.Applied, "applied");
        Assert.Equal(WebhookStack.MaxDequeueCount + 1, applied.Attempts);
        Assert.DoesNotContain(await poison.PeekTextsAsync(), m => m.Contains(eventId, StringComparison.Ordinal));
    }

    /// <summary>The event exactly as the emulator's Events API has it (the body Stripe would have sent).</summary>
    private async Task<(string Id, string Body)> RawEventAsync(string type, string subscriptionId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/v1/events?type={type}&limit=100", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StripeEmulatorProcess.SecretKey);
        using var response = await _stack.Emulator!.Controls.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var stripeEvent = list.RootElement.GetProperty("data").EnumerateArray()
            .Single(e => e.GetProperty("data").GetProperty("object").GetProperty("id").GetString() == subscriptionId);
        return (stripeEvent.GetProperty("id").GetString()!, stripeEvent.GetRawText());
    }
}
