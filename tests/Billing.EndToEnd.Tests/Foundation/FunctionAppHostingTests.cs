using System.Net;
using System.Text;
using System.Text.Json;
using Billing.Application.StripeEvents;
using Billing.EndToEnd.Tests.Support;
using Billing.QueueStorage;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Foundation;

/// <summary>The real server process, standalone, against Azurite and the Cosmos server: health, the host protocol, the queue poller and poison handling.</summary>
public sealed class FunctionAppHostingTests : IAsyncLifetime
{
    private const int MaxDequeueCount = 3;
    private readonly string _queueName = "e2e-" + Guid.NewGuid().ToString("N")[..16];
    private LocalEmulators _emulators = null!;
    private FunctionAppProcess _app = null!;
    private QueueServiceClient _queues = null!;
    private BillingData _data = null!;

    public async Task InitializeAsync()
    {
        _emulators = await LocalEmulators.GetAsync();
        _queues = QueueServiceClient.FromConnectionString(_emulators.StorageConnectionString);
        var settings = FunctionAppSettings.ForEmulators(_emulators, _queueName);
        _data = BillingData.For(_emulators, settings);
        settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00";
        settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.200";
        _app = await FunctionAppProcess.StartAsync(settings);
        await _app.WaitForOutputAsync($"listens on queue {_queueName}");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _data.DisposeAsync();
    }

    [Fact]
    public async Task Health_reports_every_dependency_healthy()
    {
        using var response = await _app.Http.GetAsync(new Uri("/api/health", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
        foreach (var check in json.RootElement.GetProperty("checks").EnumerateObject())
        {
            Assert.True(check.Value.GetProperty("status").GetString() == "healthy", $"{check.Name}: {check.Value}");
        }

        Assert.True(json.RootElement.GetProperty("checks").TryGetProperty("queues", out _));
        Assert.True(json.RootElement.GetProperty("checks").TryGetProperty("cosmos", out _));
        Assert.True(json.RootElement.GetProperty("checks").TryGetProperty("configuration", out _));
    }

    [Fact]
    public async Task A_message_sent_to_the_queue_is_delivered_to_ProcessStripeEvent_by_the_standalone_poller()
    {
        var eventId = await StoreEventAsync("invoice.upcoming");

        await _queues.GetQueueClient(_queueName).SendAsync($$"""{"eventId":"{{eventId}}","type":"invoice.upcoming"}""");

        var processed = await _data.WaitForEventAsync(eventId, e => e.Status == StripeEventStatus.Ignored, "processed by the poller");
        Assert.Equal(1, processed.Attempts);
        await WaitUntilAsync(async () => await _queues.GetQueueClient(_queueName).GetApproximateMessageCountAsync() == 0, "the message to be deleted after success");
    }

    [Fact]
    public async Task A_host_shaped_double_encoded_payload_posted_to_the_function_endpoint_is_processed()
    {
        var eventId = await StoreEventAsync("invoice.upcoming");
        var message = $$"""{"eventId":"{{eventId}}"}""";
        var payload = JsonSerializer.Serialize(new
        {
            Data = new { msg = JsonSerializer.Serialize(message) },
            Metadata = new { DequeueCount = JsonSerializer.Serialize("2"), Id = JsonSerializer.Serialize(Guid.NewGuid().ToString()), sys = new { MethodName = "ProcessStripeEvent", UtcNow = DateTimeOffset.UtcNow, RandGuid = Guid.NewGuid() } },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ProcessStripeEvent") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.UserAgent.ParseAdd("Azure-Functions-Host/4.1042.0");

        using var response = await _app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"Outputs":{},"Logs":[],"ReturnValue":null}""", await response.Content.ReadAsStringAsync());
        var processed = await _data.WaitForEventAsync(eventId, e => e.Status.IsFinal(), "processed");
        Assert.Equal(StripeEventStatus.Ignored, processed.Status);
        Assert.Contains(_app.Output.Split(Environment.NewLine), line => line.Contains($"Stripe event {eventId} (invoice.upcoming) ignored", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_payload_the_function_cannot_handle_answers_non_2xx_so_the_host_retries()
    {
        using var response = await _app.Http.PostAsync(
            new Uri("/ProcessStripeEvent", UriKind.Relative),
            new StringContent("""{"Data":{"msg":"\"not json\""},"Metadata":{"DequeueCount":"\"1\""}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("InvalidQueueMessageException", body.RootElement.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_whose_handling_throws_is_retried_then_moved_to_the_poison_queue()
    {
        var marker = "poison-" + Guid.NewGuid().ToString("N");
        var queue = _queues.GetQueueClient(_queueName);
        var poison = _queues.GetQueueClient(_queueName + "-poison");

        var sent = await queue.SendAsync(marker);

        await WaitUntilAsync(async () => (await poison.PeekAsync(32)).Any(m => m.MessageText == marker), "the message to reach the poison queue");
        Assert.Equal(0, await queue.GetApproximateMessageCountAsync());
        var attempts = _app.Output.Split(Environment.NewLine).Count(l => l.Contains("Failed ProcessStripeEvent", StringComparison.Ordinal));
        Assert.Equal(MaxDequeueCount, attempts);
        Assert.Contains($"Message {sent.MessageId} on {_queueName} failed {MaxDequeueCount} times; moved to {_queueName}-poison", _app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_stops_the_server_gracefully()
    {
        Assert.True(await _app.Process.InterruptAsync(TimeSpan.FromSeconds(20)), "the server did not stop on SIGINT:\n" + _app.Output);
        Assert.Contains("Application is shutting down", _app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_for_an_event_that_was_never_stored_fails_every_attempt_and_is_poisoned()
    {
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        var poison = _queues.GetQueueClient(_queueName + "-poison");

        await _queues.GetQueueClient(_queueName).SendAsync($$"""{"eventId":"{{eventId}}"}""");

        await WaitUntilAsync(async () => (await poison.PeekAsync(32)).Any(m => m.MessageText.Contains(eventId, StringComparison.Ordinal)), "the message to reach the poison queue");
        Assert.Contains($"Stripe event '{eventId}' is not in the event store", _app.Output, StringComparison.Ordinal);
    }

    /// <summary>Stores an event as the webhook ingest would (a type that needs no action), so a queue message can refer to it.</summary>
    private async Task<string> StoreEventAsync(string type)
    {
        var eventId = "evt_" + Guid.NewGuid().ToString("N");
        await _data.Events.TryAddAsync(
            new NewStripeEvent { Id = eventId, Type = type, Created = DateTimeOffset.UtcNow, Payload = SignedWebhook.Event(eventId, type, """{"id":"in_1","object":"invoice"}""") },
            CancellationToken.None);
        return eventId;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(100);
        }
    }
}
