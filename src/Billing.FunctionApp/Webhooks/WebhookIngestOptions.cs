namespace Billing.FunctionApp.Webhooks;

/// <summary>Limits of the webhook endpoint (section <c>Billing:Webhooks</c>).</summary>
public sealed class WebhookIngestOptions
{
    public const string SectionName = "Billing:Webhooks";

    public const int MinBodyBytes = 1024;

    /// <summary>Below Cosmos DB's 2 MB item limit with room for the event document's other fields.</summary>
    public const int MaxAllowedBodyBytes = 1536 * 1024;

    /// <summary>Larger bodies are refused with 413 before they are verified. Stripe's events are far smaller.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;
}
