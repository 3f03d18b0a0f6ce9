namespace Billing.StripeEmulator.Configuration;

internal sealed class WebhookEndpointOptions
{
    public string Url { get; set; } = string.Empty;

    /// <summary>The signing secret, `whsec_...`.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>The `api_version` of the events sent here, as a Stripe endpoint's own version (default: the emulator's).</summary>
    public string ApiVersion { get; set; } = Wire.Shapes.EventShape.ApiVersion;
}
