namespace Billing.StripeEmulator.Configuration;

/// <summary>The `Emulator` configuration section (appsettings.json, then `Emulator__*` environment variables).</summary>
internal sealed class EmulatorOptions
{
    public const string SectionName = "Emulator";

    public const string DefaultUrl = "http://127.0.0.1:12111";

    /// <summary>Base of the URLs the emulator hands out (checkout, portal, hosted invoice pages). Defaults to the listen URL.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Where events are delivered; more can be added at run time with `POST /_emulator/webhook_endpoints`.</summary>
    public List<WebhookEndpointOptions> WebhookEndpoints { get; } = [];

    /// <summary>Delays before each retry of a failed delivery, in seconds, comma separated ("1,2,4,8,16"). Empty: no retries.</summary>
    public string WebhookRetrySchedule { get; set; } = "1,2,4,8,16";

    /// <summary>How long one delivery may take before it counts as failed.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Secret keys accepted as `Authorization: Bearer ...`. Empty: any well-formed `sk_test_...` key.</summary>
    public List<string> ApiKeys { get; } = [];

    /// <summary>Products and prices that exist from the start (and again after `POST /_emulator/reset`).</summary>
    public List<PriceSeedOptions> Prices { get; } = [];
}
