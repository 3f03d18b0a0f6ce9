using System.Globalization;
using System.Net;
using System.Text;
using Azure.Storage.Queues;
using Billing.Benchmarks.Events;
using Billing.Benchmarks.Load;
using Billing.Cosmos.Client;
using Billing.Cosmos.Configuration;
using Billing.TestSupport;
using Microsoft.Azure.Cosmos;

namespace Billing.Benchmarks.Ingest;

/// <summary>
/// <c>ingest [--seconds S] [--warmup-seconds W] [--rounds R] [--levels 1,8,32]</c>: the webhook ingest through the
/// real app under the local host (signed <c>customer.subscription.updated</c> bodies, a new event id per request),
/// next to, from this process with the same SDK clients the app uses: (i) <b>direct</b> = Cosmos create of a
/// same-shaped document in the app's stripe-events container, then the queue send of the same message to the app's
/// queue (sequential, as the ingest did before it ran them concurrently), and (ii) <b>floor</b> = one queue send
/// (one durable write) to a queue nobody reads. Per level: W s warm-up of each target, then R rounds of S s per target
/// in alternating order. The app's queue trigger processes the events meanwhile (the ingest's and the direct ones
/// alike); its host runs with queues batchSize 1 and newBatchThreshold 0 so processing stays a trickle.
/// </summary>
internal static class IngestCommand
{
    private static readonly Uri WebhookPath = new("api/stripe/webhook", UriKind.Relative);

    public static async Task<int> RunAsync(string[] arguments)
    {
        var options = LoadOptions.Parse("ingest", arguments, new LoadOptions(Seconds: 5, WarmupSeconds: 3, Rounds: 2, Levels: [1, 8, 32]));
        var log = Console.Error;
        var loadBefore = Machine.LoadAverage();
        var clock = TimeProvider.System;
        var bodies = StripeEventBodies.Load();
        var template = new BodyTemplate(bodies, clock);
        var emulators = await LocalEmulators.GetAsync();
        var results = new List<(LoadResult Ingest, LoadResult Direct, LoadResult Floor)>();
        string queueState;
        try
        {
            using var stripeDown = FreePort.Refusing(); // these calls never reach Stripe
            var settings = Processes.AppSettings(emulators, stripeDown.Url);
            settings["AzureFunctionsJobHost__extensions__queues__batchSize"] = "1";
            settings["AzureFunctionsJobHost__extensions__queues__newBatchThreshold"] = "0";
            var queueName = settings["STRIPE_EVENTS_QUEUE"]!;
            var queues = new QueueServiceClient(emulators.StorageConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
            var appQueue = queues.GetQueueClient(queueName);
            await appQueue.CreateIfNotExistsAsync();
            var floorQueue = queues.GetQueueClient("floor-" + Guid.NewGuid().ToString("N")[..12]);
            await floorQueue.CreateIfNotExistsAsync();
            await using var app = await FunctionAppProcess.StartAsync(settings);
            using var cosmos = CosmosClientFactory.Create(new CosmosOptions { ConnectionString = emulators.CosmosConnectionString });
            var container = cosmos.GetContainer(settings["Billing__Cosmos__DatabaseName"]!, new CosmosOptions().StripeEventsContainerName);
            log.WriteLine($"App at {app.BaseAddress}; body {template.Length:N0} bytes ({bodies.Source}); queue {queueName}.");

            foreach (var (level, index) in options.Levels.Select((l, i) => (l, i)))
            {
                using var http = HttpClients.Create(app.BaseAddress, level);
                var sender = new WebhookSender(http, Processes.WebhookSecret, TimeSpan.FromSeconds(30), clock);
                LoadTarget[] targets =
                [
                    new("ingest", async ct =>
                    {
                        var sample = await sender.SendAsync(WebhookPath, template.Next(out _), ct);
                        return sample.Error is null ? null : sample.Error + " " + sample.Detail;
                    }),
                    new("direct create + send", async ct =>
                    {
                        var body = template.Next(out var id);
                        var created = await container.CreateItemAsync(Document(id, body, clock), new PartitionKey(id), new ItemRequestOptions { EnableContentResponseOnWrite = false }, ct);
                        if (created.StatusCode != HttpStatusCode.Created)
                        {
                            return "Cosmos " + created.StatusCode;
                        }

                        await appQueue.SendMessageAsync(Message(id), ct);
                        return null;
                    }),
                    new("floor: one send", async ct =>
                    {
                        template.Next(out var id);
                        await floorQueue.SendMessageAsync(Message(id), ct);
                        return null;
                    }),
                ];
                var merged = await LoadRounds.RunAsync(targets, level, options, reverseFirst: index % 2 == 1, log);
                results.Add((merged[0], merged[1], merged[2]));
                if (app.Process.HasExited)
                {
                    log.WriteLine("The host exited; its last output:" + Environment.NewLine + app.Output);
                    break;
                }
            }

            var properties = (await appQueue.GetPropertiesAsync()).Value;
            queueState = $"after the run the app's queue held about {properties.ApproximateMessagesCount} messages (processing with batchSize 1 trails the ingest)";
        }
        finally
        {
            await emulators.DisposeAsync();
        }

        var report = new StringBuilder();
        report.AppendLine(Machine.Invariant($"ingest, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; {Machine.Describe()}; load average {loadBefore} before, {Machine.LoadAverage()} after; body {template.Length:N0} bytes; {options.WarmupSeconds} s warm-up, then {options.Rounds} x {options.Seconds} s per target and level, alternating"));
        report.AppendLine();
        report.AppendLine("| concurrency | ingest (req/s) | direct create+send (op/s) | floor: one send (op/s) | **ingest / direct** | **ingest / floor** | p50 ms ingest / direct / floor | p99 ms ingest / direct / floor | errors |");
        report.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (ingest, direct, floor) in results)
        {
            report.AppendLine(Machine.Invariant(
                $"| {ingest.Concurrency} | {ingest.Throughput:0.0} | {direct.Throughput:0.0} | {floor.Throughput:0.0} | **{Machine.Ratio(ingest.Throughput, direct.Throughput)}** | **{Machine.Ratio(ingest.Throughput, floor.Throughput)}** | {LoadResult.Ms(ingest.Latency?.P50)} / {LoadResult.Ms(direct.Latency?.P50)} / {LoadResult.Ms(floor.Latency?.P50)} | {LoadResult.Ms(ingest.Latency?.P99)} / {LoadResult.Ms(direct.Latency?.P99)} / {LoadResult.Ms(floor.Latency?.P99)} | {ingest.Failed} / {direct.Failed} / {floor.Failed} |"));
        }

        report.AppendLine();
        report.AppendLine("- " + queueState + ".");
        foreach (var failed in results.SelectMany(r => new[] { r.Ingest, r.Direct, r.Floor }).Where(r => r.FirstError is not null))
        {
            report.AppendLine($"- {failed.Name} c={failed.Concurrency}: first error `{failed.FirstError}`.");
        }

        Console.Out.Write(report.ToString());
        return results.Any(r => r.Ingest.Failed + r.Direct.Failed + r.Floor.Failed > 0) ? 1 : 0;
    }

    private static string Message(string id) => "{\"eventId\":\"" + id + "\",\"type\":\"customer.subscription.updated\"}";

    /// <summary>The stored document's shape (fields and names of the app's StripeEventDocument, camelCase by the same serializer).</summary>
    private static BaselineEventDocument Document(string id, byte[] body, TimeProvider clock) => new()
    {
        Id = id,
        Type = "stripeEvent",
        SchemaVersion = 1,
        EventType = "customer.subscription.updated",
        StripeCreatedAt = clock.GetUtcNow(),
        Livemode = false,
        ApiVersion = global::Stripe.StripeConfiguration.ApiVersion,
        Status = "received",
        Attempts = 0,
        ReceivedAt = clock.GetUtcNow(),
        Payload = Encoding.UTF8.GetString(body),
    };

    /// <summary>One webhook body with its event id swapped per request (same length, so a byte copy and overwrite).</summary>
    private sealed class BodyTemplate(StripeEventBodies bodies, TimeProvider clock)
    {
        private readonly string _placeholder = StripeEventBodies.NewEventId();
        private byte[]? _template;
        private int _offset;

        public int Length => Template.Length;

        private byte[] Template
        {
            get
            {
                if (_template is null)
                {
                    var template = bodies.SubscriptionUpdated(_placeholder, clock.GetUtcNow());
                    _offset = template.AsSpan().IndexOf(Encoding.ASCII.GetBytes(_placeholder));
                    _template = template;
                }

                return _template;
            }
        }

        public byte[] Next(out string id)
        {
            id = StripeEventBodies.NewEventId();
            var body = (byte[])Template.Clone();
            Encoding.ASCII.GetBytes(id).CopyTo(body, _offset);
            return body;
        }
    }

    private sealed record BaselineEventDocument
    {
        public required string Id { get; init; }

        public required string Type { get; init; }

        public required int SchemaVersion { get; init; }

        public required string EventType { get; init; }

        public required DateTimeOffset StripeCreatedAt { get; init; }

        public bool Livemode { get; init; }

        public string? ApiVersion { get; init; }

        public required string Status { get; init; }

        public int Attempts { get; init; }

        public required DateTimeOffset ReceivedAt { get; init; }

        public required string Payload { get; init; }
    }
}
