using Billing.StripeEmulator.Tests.Infrastructure;
using Billing.TestSupport;
using Stripe;

namespace Billing.StripeEmulator.Tests.StripeNet.Support;

/// <summary>
/// The emulator as a real process, Stripe.net's <see cref="StripeClient"/> pointed at it the way the product builds
/// it (options only, no static <c>StripeConfiguration</c>; every base URL on the emulator; telemetry off), and a
/// webhook receiver configured as an endpoint (endive, the default <c>api_version</c>).
/// </summary>
public sealed class StripeNetFixture : IAsyncLifetime
{
    public const string WebhookSecret = "whsec_stripe_net_compatibility";

    private HttpClient? http;

    public StripeEmulatorProcess Emulator { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public StripeClient Client { get; private set; } = null!;

    /// <summary>The emulator's base URL without a trailing slash, as Stripe.net's <c>ApiBase</c> wants it.</summary>
    public string ApiBase { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Receiver = new WebhookReceiver(WebhookSecret);
        Emulator = await StripeEmulatorProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Emulator__WebhookEndpoints__0__Url"] = Receiver.Url,
            ["Emulator__WebhookEndpoints__0__Secret"] = WebhookSecret,
            ["Emulator__WebhookRetrySchedule"] = "0.3,0.6",
            ["Emulator__WebhookTimeout"] = "00:00:05",
        });
        ApiBase = Emulator.ApiBase.ToString().TrimEnd('/');
        http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Client = NewClient(StripeEmulatorProcess.SecretKey);
    }

    /// <summary>A client with another API key on the same transport (for the 401 case).</summary>
    public StripeClient NewClient(string apiKey) => new(new StripeClientOptions
    {
        ApiKey = apiKey,
        ApiBase = ApiBase,
        ConnectBase = ApiBase,
        FilesBase = ApiBase,
        MeterEventsBase = ApiBase,
        HttpClient = new SystemNetHttpClient(http!, maxNetworkRetries: 2, appInfo: null, enableTelemetry: false),
    });

    /// <summary>Empty emulator state, clock at real time, no run-time webhook endpoints, empty receiver.</summary>
    public async Task ResetAsync()
    {
        await Emulator.ControlAsync("/_emulator/reset");
        Receiver.Clear();
    }

    public async Task DisposeAsync()
    {
        http?.Dispose();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }
    }
}

/// <summary>The Stripe.net tests share one emulator process and run one after the other (each resets it).</summary>
[CollectionDefinition(Name)]
public sealed class SharedStripeNetEmulator : ICollectionFixture<StripeNetFixture>
{
    public const string Name = "Stripe.net against the emulator";
}
