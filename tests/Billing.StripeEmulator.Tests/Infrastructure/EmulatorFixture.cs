using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests.Infrastructure;

/// <summary>
/// One emulator process (<see cref="StripeEmulatorProcess"/>, on a free port) and one webhook receiver per test
/// class. Every test starts with <see cref="ResetAsync"/>: empty state, clock at real time, no queued deliveries,
/// empty receiver.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const string WebhookSecret = "whsec_test_emulator_fixture_secret";

    private StripeEmulatorProcess? _emulator;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public StripeApiClient Stripe { get; private set; } = null!;

    /// <summary>The emulator's base URL without a trailing slash (also its public base URL).</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    public string Output => _emulator?.Process.Output ?? string.Empty;

    public async Task InitializeAsync()
    {
        Receiver = new WebhookReceiver(WebhookSecret);
        _emulator = await StripeEmulatorProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Emulator__WebhookEndpoints__0__Url"] = Receiver.Url,
            ["Emulator__WebhookEndpoints__0__Secret"] = WebhookSecret,
            ["Emulator__WebhookRetrySchedule"] = "0.3,0.6",
            ["Emulator__WebhookTimeout"] = "00:00:05",
        });
        BaseUrl = _emulator.ApiBase.ToString().TrimEnd('/');
        Stripe = new StripeApiClient(_emulator.Controls, StripeEmulatorProcess.SecretKey);
    }

    public async Task ResetAsync()
    {
        (await Stripe.ControlAsync("/_emulator/reset")).EnsureOk();
        Receiver.Clear();
    }

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        await Receiver.DisposeAsync();
    }
}
