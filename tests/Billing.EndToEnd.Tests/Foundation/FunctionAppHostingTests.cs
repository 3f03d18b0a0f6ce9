using System.Net;
using System.Text.Json;
using Azure.Storage.Queues;
using Billing.Application.StripeEvents;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Foundation;

/// <summary>
/// The real worker under the local Functions host, against Azurite and the Cosmos server: health, queue delivery, retries
/// and poison, shutdown. The tests share one app and its own queue (<see cref="AppFixture"/>; they run one after another
/// and each waits until its message is gone), except the stop test, which stops an app of its own.
/// </summary>
public sealed class FunctionAppHostingTests(FunctionAppHostingTests.AppFixture fixture) : IClassFixture<FunctionAppHostingTests.AppFixture>
{
    private const int MaxDequeueCount = 3;
    private readonly FunctionAppProcess _app = fixture.App;
    private readonly QueueClient _queue = fixture.Queue;
    private readonly QueueClient _poison = fixture.Poison;
    private readonly BillingData _data = fixture.Data;

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
        await _app.WaitForOutputAsync($"Stripe event '{eventId}' is not in the event store"); // read from the host's output after the queue's state
    }

    [Fact]
    public async Task A_stop_signal_stops_the_host_and_its_worker()
    {
        await using var app = await FunctionAppProcess.StartAsync(AppFixture.Settings(await LocalEmulators.GetAsync(), fixture.QueueName));
        var workers = ProcessTree.DescendantsOf(app.Process.Id);
        Assert.NotEmpty(workers);

        Assert.True(await app.Process.StopAsync(TimeSpan.FromSeconds(20)), "the host did not stop on SIGTERM:\n" + app.Output);
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

    /// <summary>One app on a queue of its own (3 deliveries before poison, no visibility delay, polled every 200 ms).</summary>
    public sealed class AppFixture : IAsyncLifetime
    {
        public string QueueName { get; } = "e2e-" + Guid.NewGuid().ToString("N")[..16];

        internal FunctionAppProcess App { get; private set; } = null!;

        internal QueueClient Queue { get; private set; } = null!;

        internal QueueClient Poison { get; private set; } = null!;

        internal BillingData Data { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var emulators = await LocalEmulators.GetAsync();
            Queue = TestQueues.Client(emulators.StorageConnectionString, QueueName);
            Poison = TestQueues.Client(emulators.StorageConnectionString, QueueName + "-poison");
            await Queue.CreateIfNotExistsAsync();
            var settings = Settings(emulators, QueueName);
            Data = BillingData.For(emulators, settings);
            App = await FunctionAppProcess.StartAsync(settings);
        }

        public async Task DisposeAsync()
        {
            await App.DisposeAsync();
            await Data.DisposeAsync();
        }

        /// <summary>The app's settings, with a database of its own (each call names a new one).</summary>
        internal static Dictionary<string, string?> Settings(LocalEmulators emulators, string queueName)
        {
            var settings = FunctionAppSettings.ForEmulators(emulators, queueName);
            settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00";
            settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.200";
            return settings;
        }
    }
}
