using System.Net;
using System.Text.Json;
using Azure.Storage.Queues;
using Billing.Application.StripeEvents;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Foundation;

/// <summary>The real worker under the local Functions host, against Azurite and the Cosmos server: health, queue delivery, retries and poison, shutdown.</summary>
[Trait(LongClassesFirst.Trait, LongClassesFirst.LongRunning)]
public sealed class FunctionAppHostingTests : IAsyncLifetime
{
    private const int MaxDequeueCount = 3;
    private readonly string _queueName = "e2e-" + Guid.NewGuid().ToString("N")[..16];
    private LocalEmulators _emulators = null!;
    private FunctionAppProcess _app = null!;
    private QueueClient _queue = null!;
    private QueueClient _poison = null!;
    private BillingData _data = null!;

    public async Task InitializeAsync()
    {
        _emulators = await LocalEmulators.GetAsync();
        _queue = TestQueues.Client(_emulators.StorageConnectionString, _queueName);
        _poison = TestQueues.Client(_emulators.StorageConnectionString, _queueName + "-poison");
        await _queue.CreateIfNotExistsAsync();
        var settings = FunctionAppSettings.ForEmulators(_emulators, _queueName);
        _data = BillingData.For(_emulators, settings);
        settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00";
        settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.200";
        _app = await FunctionAppProcess.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _data.DisposeAsync();
    }

    [Fact]
    public async Task Health_answers_503_naming_Stripe_when_it_is_unreachable_and_the_others_healthy()
    {
        // This stack has no Stripe emulator: its Stripe is a port that refuses connections (FunctionAppSettings).
        using var response = await _app.Http.GetAsync(new Uri("/api/health", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, body);
        using var json = JsonDocument.Parse(body);
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal("unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("unhealthy", checks.GetProperty("stripe").GetProperty("status").GetString());
        Assert.Contains("could not be reached", checks.GetProperty("stripe").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("healthy", checks.GetProperty("queues").GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("cosmos").GetProperty("status").GetString());
        Assert.True(json.RootElement.GetProperty("durationMs").GetDouble() < 5_000, body);
    }

    [Fact]
    public async Task A_message_sent_to_the_queue_is_delivered_to_ProcessStripeEvent_and_deleted()
    {
        var eventId = await StoreEventAsync("invoice.upcoming");

        await _queue.SendMessageAsync($$"""{"eventId":"{{eventId}}","type":"invoice.upcoming"}""");

        var processed = await _data.WaitForEventAsync(eventId, e => e.Status == StripeEventStatus.Ignored, "processed");
        Assert.Equal(1, processed.Attempts);
        await Eventually.UntilAsync(async () => await _queue.CountAsync() == 0, "the message to be deleted after success");
    }

    [Fact]
    public async Task A_message_whose_handling_throws_is_retried_then_moved_to_the_poison_queue()
    {
        var marker = "poison-" + Guid.NewGuid().ToString("N");

        await _queue.SendMessageAsync(marker);

        await Eventually.UntilAsync(async () => (await _poison.PeekTextsAsync()).Contains(marker), "the message to reach the poison queue", TimeSpan.FromSeconds(60));

        // The host sends the copy to the poison queue first, then deletes the original: wait for the delete too.
        await Eventually.UntilAsync(async () => await _queue.CountAsync() == 0, "the original to be deleted", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_message_for_an_event_that_was_never_stored_fails_every_attempt_and_is_poisoned()
    {
        var eventId = "evt_" + Guid.NewGuid().ToString("N");

        await _queue.SendMessageAsync($$"""{"eventId":"{{eventId}}"}""");

        await Eventually.UntilAsync(async () => (await _poison.PeekTextsAsync()).Any(m => m.Contains(eventId, StringComparison.Ordinal)), "the message to reach the poison queue", TimeSpan.FromSeconds(60));
        Assert.Contains($"Stripe event '{eventId}' is not in the event store", _app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stop_signal_stops_the_host_and_its_worker()
    {
        var workers = ProcessTree.DescendantsOf(_app.Process.Id);
        Assert.NotEmpty(workers);

        Assert.True(await _app.Process.StopAsync(TimeSpan.FromSeconds(20)), "the host did not stop on SIGTERM:\n" + _app.Output);
        await Eventually.UntilAsync(() => Task.FromResult(!workers.Any(ProcessTree.IsAlive)), "the worker to exit with the host", TimeSpan.FromSeconds(10));
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
}
