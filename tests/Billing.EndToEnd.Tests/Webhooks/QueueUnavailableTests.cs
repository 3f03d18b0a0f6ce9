using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Billing.Application.StripeEvents;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>
/// The queue service down (answering 503 Server Busy, an outage the real Functions host lives through): the webhook
/// must not answer 200 (Stripe has to deliver the event again), and the operator's poison endpoints answer 503, not 500.
/// </summary>
public sealed class QueueUnavailableTests : IAsyncLifetime
{
    private readonly CannedHttpServer _storageDown = new(() => CannedAnswer.StorageBusy);
    private WebhookStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await WebhookStack.StartAsync(emulator: false, configure: s => s["AzureWebJobsStorage"] = LocalEmulators.AzuriteConnectionString(_storageDown.Port, _storageDown.Host));

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _storageDown.DisposeAsync();
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
        await _stack.App.WaitForOutputAsync($"Stripe event {id} (invoice.paid) could not be stored or queued; answered 503 so Stripe retries", timeout: TimeSpan.FromSeconds(30)); // logged before, captured after the answer
        Assert.True(_storageDown.Requests > 0, "the queue service was never asked");
    }

    [Theory]
    [InlineData("GET", "/api/billing/admin/poison", null)]
    [InlineData("GET", "/api/billing/admin/poison?queue=invoice-jobs", null)]
    [InlineData("POST", "/api/billing/admin/poison/replay", """{"eventIds":["evt_1"]}""")]
    [InlineData("POST", "/api/billing/admin/poison/replay?queue=invoice-jobs", """{"all":true}""")]
    public async Task The_poison_endpoints_answer_503_with_a_retry_after(string method, string path, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.For("ops-1", admin: true));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _stack.App.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unavailable", problem.RootElement.GetProperty("code").GetString());
    }
}
