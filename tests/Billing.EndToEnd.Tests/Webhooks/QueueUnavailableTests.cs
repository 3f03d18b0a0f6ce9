using System.Net;
using System.Text.Json;
using Billing.Application.StripeEvents;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>When the queue cannot take the event the webhook must not answer 200: Stripe has to deliver it again.</summary>
public sealed class QueueUnavailableTests : IAsyncLifetime
{
    private readonly RefusingPort _storageDown = FreePort.Refusing();
    private WebhookStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await WebhookStack.StartAsync(emulator: false, configure: s => s["AzureWebJobsStorage"] = LocalEmulators.AzuriteConnectionString(_storageDown.Port));

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _storageDown.Dispose();
    }

    [Fact]
    public async Task The_webhook_answers_503_and_the_stored_event_waits_for_the_redelivery()
    {
        var id = SignedWebhook.NewEventId();
        var body = SignedWebhook.Event(id, "invoice.paid", """{"id":"in_4","object":"invoice","customer":"cus_q"}""");

        using var response = await _stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unavailable", problem.RootElement.GetProperty("code").GetString());
        var record = await _stack.Data.Events.GetAsync(id, CancellationToken.None);
        Assert.Equal(StripeEventStatus.Received, record!.Status); // kept; Stripe's retry queues it (a duplicate not yet done is queued again)
        Assert.Contains($"Stripe event {id} (invoice.paid) could not be stored or queued; answered 503 so Stripe retries", _stack.App.Output, StringComparison.Ordinal);
    }
}
