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
/// The tests share one app (<see cref="StorageDownFixture"/>): each asks with its own event or only reads, and the queue
/// service never keeps anything.
/// </summary>
public sealed class QueueUnavailableTests(QueueUnavailableTests.StorageDownFixture fixture) : IClassFixture<QueueUnavailableTests.StorageDownFixture>
{
    private WebhookStack Stack => fixture.Stack;

    [Fact]
    public async Task The_webhook_answers_503_and_the_stored_event_waits_for_the_redelivery()
    {
        var id = SignedWebhook.NewEventId();
        var body = SignedWebhook.Event(id, "invoice.paid", """{"id":"in_4","object":"invoice","customer":"cus_q"}""");

        var asked = fixture.StorageDown.Requests;

        using var response = await Stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unavailable", problem.RootElement.GetProperty("code").GetString());
        var record = await Stack.Data.Events.GetAsync(id, CancellationToken.None);
        Assert.Equal(StripeEventStatus.Received, record!.Status); // kept; Stripe's retry queues it (a duplicate not yet done is queued again)
        await Stack.App.WaitForOutputAsync($"Stripe event {id} (invoice.paid) could not be stored or queued; answered 503 so Stripe retries", timeout: TimeSpan.FromSeconds(30)); // logged before, captured after the answer
        Assert.True(fixture.StorageDown.Requests > asked, "the queue service was never asked");
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

        using var response = await Stack.App.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unavailable", problem.RootElement.GetProperty("code").GetString());
    }

    /// <summary>One app without a Stripe emulator whose storage account (its queues) answers 503 Server Busy to everything.</summary>
    public sealed class StorageDownFixture : SharedStackFixture
    {
        public CannedHttpServer StorageDown { get; } = new(() => CannedAnswer.StorageBusy);

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await StorageDown.DisposeAsync();
        }

        private protected override Task<WebhookStack> StartAsync() =>
            WebhookStack.StartAsync(emulator: false, configure: s => s["AzureWebJobsStorage"] = LocalEmulators.AzuriteConnectionString(StorageDown.Port, StorageDown.Host));
    }
}
