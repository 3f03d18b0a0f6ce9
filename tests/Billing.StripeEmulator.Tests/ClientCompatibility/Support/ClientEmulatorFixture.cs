using Billing.Stripe;
using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests.ClientCompatibility.Support;

/// <summary>
/// The emulator as a real process and the product's own <see cref="StripeClient"/> pointed at it, exactly as the
/// function app builds it (secret key + <c>ApiBase</c>), with a <see cref="RecordingHandler"/> underneath to see
/// what went over the wire.
/// </summary>
public sealed class ClientEmulatorFixture : IAsyncLifetime
{
    private HttpClient? http;

    public StripeEmulatorProcess Emulator { get; private set; } = null!;

    public RecordingHandler Requests { get; } = new();

    public IStripeClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await StripeEmulatorProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Emulator__WebhookRetrySchedule"] = "0.3,0.6",
            ["Emulator__WebhookTimeout"] = "00:00:05",
        });
        http = new HttpClient(Requests) { Timeout = TimeSpan.FromSeconds(60) };
        Client = new StripeClient(http, new StripeClientOptions
        {
            SecretKey = StripeEmulatorProcess.SecretKey,
            ApiBase = Emulator.ApiBase,
            Timeout = TimeSpan.FromSeconds(30),
        });
    }

    /// <summary>Empty emulator state, clock at real time, no run-time webhook endpoints, no recorded requests.</summary>
    public async Task ResetAsync()
    {
        await Emulator.ControlAsync("/_emulator/reset");
        Requests.Clear();
    }

    public async Task DisposeAsync()
    {
        http?.Dispose();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}
