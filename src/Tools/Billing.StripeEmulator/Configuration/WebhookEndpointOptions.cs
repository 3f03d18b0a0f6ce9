namespace Billing.StripeEmulator.Configuration;

internal sealed class WebhookEndpointOptions
{
    public string Url { get; set; } = string.Empty;

    /// <summary>The signing secret, `whsec_...`.</summary>
    public string Secret { get; set; } = string.Empty;
}
