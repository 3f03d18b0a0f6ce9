using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests.Infrastructure;

/// <summary>
/// One emulator process (on a free port) and one webhook receiver per test class. Every test starts with
/// <see cref="ResetAsync"/>: empty state, clock at real time, no queued deliveries, empty receiver.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const string WebhookSecret = "whsec_test_emulator_fixture_secret";

    private ManagedProcess? _process;
    private HttpClient? _http;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public StripeApiClient Stripe { get; private set; } = null!;

    public string BaseUrl { get; private set; } = string.Empty;

    public string Output => _process?.Output ?? string.Empty;

    public async Task InitializeAsync()
    {
        Receiver = new WebhookReceiver(WebhookSecret);
        var port = FreePort.Next();
        BaseUrl = $"http://127.0.0.1:{port}";
        _process = EmulatorLauncher.Start(BaseUrl, new Dictionary<string, string?>
        {
            ["Emulator__WebhookEndpoints__0__Url"] = Receiver.Url,
            ["Emulator__WebhookEndpoints__0__Secret"] = WebhookSecret,
            ["Emulator__WebhookRetrySchedule"] = "0.3,0.6",
            ["Emulator__WebhookTimeout"] = "00:00:05",
        });
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), () => _process.Output);
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        Stripe = new StripeApiClient(_http, StripeApiClient.DefaultKey);
    }

    public async Task ResetAsync()
    {
        (await Stripe.ControlAsync("/_emulator/reset")).EnsureOk();
        Receiver.Clear();
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        await Receiver.DisposeAsync();
    }
}
