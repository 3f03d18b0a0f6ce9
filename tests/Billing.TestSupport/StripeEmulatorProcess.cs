using System.Net.Http.Json;

namespace Billing.TestSupport;

/// <summary>The local Stripe emulator (src/Tools/Billing.StripeEmulator) as a real process on a free loopback port.</summary>
public sealed class StripeEmulatorProcess : IAsyncDisposable
{
    public const string SecretKey = "sk_test_emulator_tests";

    private StripeEmulatorProcess(ManagedProcess process, Uri apiBase)
    {
        Process = process;
        ApiBase = apiBase;
        Controls = new HttpClient { BaseAddress = apiBase, Timeout = TimeSpan.FromSeconds(30) };
    }

    public ManagedProcess Process { get; }

    /// <summary>Where to point a Stripe client (<c>Stripe__ApiBase</c>).</summary>
    public Uri ApiBase { get; }

    /// <summary>An HTTP client for the emulator's test controls under <c>/_emulator/...</c>.</summary>
    public HttpClient Controls { get; }

    public static Task<StripeEmulatorProcess> StartAsync(IDictionary<string, string?>? settings = null) =>
        FreePort.StartOnFreePortAsync(port => StartAsync(port, settings));

    private static async Task<StripeEmulatorProcess> StartAsync(int port, IDictionary<string, string?>? settings)
    {
        var apiBase = new Uri($"http://127.0.0.1:{port}/");
        var environment = new Dictionary<string, string?>
        {
            ["Logging__LogLevel__Default"] = "Warning",
            ["Emulator__PublicBaseUrl"] = apiBase.ToString().TrimEnd('/'),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var process = ManagedProcess.Start(
            "stripe-emulator",
            "dotnet",
            [RepoPaths.ProjectOutput("src/Tools/Billing.StripeEmulator", "Billing.StripeEmulator"), "--urls", apiBase.ToString().TrimEnd('/')],
            environment);
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), process);
        return new StripeEmulatorProcess(process, apiBase);
    }

    /// <summary>Registers a webhook endpoint (e.g. the function app's) at run time.</summary>
    public async Task AddWebhookEndpointAsync(Uri url, string secret)
    {
        using var response = await Controls.PostAsync(
            new Uri("/_emulator/webhook_endpoints", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["url"] = url.ToString(), ["secret"] = secret }));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>POSTs form fields to a test control, e.g. <c>/_emulator/clock/advance</c>; returns the JSON answer.</summary>
    public async Task<System.Text.Json.JsonElement> ControlAsync(string path, IDictionary<string, string>? form = null)
    {
        using var response = await Controls.PostAsync(new Uri(path, UriKind.Relative), new FormUrlEncodedContent(form ?? new Dictionary<string, string>()));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} -> {(int)response.StatusCode}: {body}");
        }

        return string.IsNullOrWhiteSpace(body) ? default : System.Text.Json.JsonDocument.Parse(body).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Controls.Dispose();
        await Process.DisposeAsync();
    }
}
