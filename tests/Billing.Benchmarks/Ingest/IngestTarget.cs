using System.Net;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Billing.TestSupport;

namespace Billing.Benchmarks.Ingest;

/// <summary>
/// The server under load. By default started here as real processes on free loopback ports: Azurite and the Cosmos
/// server (<see cref="LocalEmulators"/>, reused from BILLING_TEST_* variables when set) and the Release build of the
/// function app, with its own webhook secret, the bare endpoint on, log level Warning and (unless asked) the standalone
/// queue poller off, so the run measures signature + store + enqueue and not event processing. Or a server already
/// running at <c>--app-url</c>.
/// </summary>
internal sealed class IngestTarget : IAsyncDisposable
{
    private readonly LocalEmulators? _emulators;
    private readonly string? _stateDirectory;
    private readonly string? _queueName;

    private IngestTarget(Uri baseAddress, string secret, string description, FunctionAppProcess? app = null, LocalEmulators? emulators = null, string? queueName = null, string? stateDirectory = null)
    {
        BaseAddress = baseAddress;
        Secret = secret;
        Description = description;
        App = app;
        _emulators = emulators;
        _queueName = queueName;
        _stateDirectory = stateDirectory;
    }

    public Uri BaseAddress { get; }

    public string Secret { get; }

    public string Description { get; }

    /// <summary>The function app process when this run started it.</summary>
    public FunctionAppProcess? App { get; }

    public static async Task<IngestTarget> StartAsync(IngestOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.AppUrl is { } appUrl)
        {
            return new IngestTarget(appUrl, options.Secret ?? IngestOptions.DevelopmentWebhookSecret, $"an already running server at {appUrl}");
        }

        log.WriteLine("Starting Azurite and the Cosmos server (or reusing BILLING_TEST_STORAGE_CONNECTION / BILLING_TEST_COSMOS_CONNECTION)...");
        var emulators = await LocalEmulators.GetAsync();
        var secret = options.Secret ?? "whsec_benchmark_" + Guid.NewGuid().ToString("N");
        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["ASPNETCORE_ENVIRONMENT"] = "Development";
        settings["Logging__LogLevel__Default"] = "Warning";
        settings["Stripe__WebhookSecrets__0"] = secret;
        settings["Benchmarks__BareEndpoint"] = "true";
        if (!options.WithProcessing)
        {
            settings["Standalone__Enabled"] = "false";
        }

        log.WriteLine("Starting the function app (Release build)...");
        try
        {
            // In Azure the queue is provisioned with the app; locally only the standalone poller creates it, and it is off.
            await new QueueServiceClient(emulators.StorageConnectionString)
                .GetQueueClient(settings["STRIPE_EVENTS_QUEUE"]!)
                .CreateIfNotExistsAsync();
            var app = await FunctionAppProcess.StartAsync(settings);
            var processing = options.WithProcessing ? "standalone queue poller on" : "standalone queue poller off";
            return new IngestTarget(
                app.BaseAddress,
                secret,
                $"the function app (Release, Development environment, log level Warning, {processing}) started by this run on {app.BaseAddress}, against Azurite and cosmosdb-server on loopback",
                app,
                emulators,
                settings["STRIPE_EVENTS_QUEUE"],
                settings["Standalone__StateDirectory"]);
        }
        catch
        {
            await emulators.DisposeAsync();
            throw;
        }
    }

    /// <summary>"healthy", or what GET /api/health answered and which checks failed, for the report.</summary>
    public async Task<string> CheckHealthAsync(HttpClient http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            using var response = await http.GetAsync(new Uri(BaseAddress, "/api/health"), timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return "healthy";
            }

            var answer = $"HTTP {(int)response.StatusCode} {response.StatusCode}";
            try
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
                var failing = json.RootElement.GetProperty("checks").EnumerateObject()
                    .Where(c => c.Value.GetProperty("status").GetString() != "healthy")
                    .Select(c => c.Name);
                return $"{answer} (not healthy: {string.Join(", ", failing)})";
            }
            catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return answer;
            }
        }
        catch (HttpRequestException exception)
        {
            return "unreachable: " + exception.Message;
        }
        catch (OperationCanceledException)
        {
            return "no answer within 15 s";
        }
    }

    /// <summary>The Stripe events queue and its approximate message count, when this run started the server; null otherwise.</summary>
    public async Task<string?> DescribeQueueAsync(CancellationToken cancellationToken)
    {
        if (_emulators is null || _queueName is null)
        {
            return null;
        }

        try
        {
            var queues = new QueueServiceClient(_emulators.StorageConnectionString);
            var count = (await queues.GetQueueClient(_queueName).GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            return $"queue `{_queueName}` holds {count} message(s)";
        }
        catch (RequestFailedException exception)
        {
            return $"queue `{_queueName}` could not be read ({exception.Message.ReplaceLineEndings(" ")})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (_emulators is not null)
        {
            await _emulators.DisposeAsync();
        }

        if (_stateDirectory is not null && Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }
}
