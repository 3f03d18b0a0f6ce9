using Billing.Application.StripeEvents;

namespace Billing.FunctionApp.Webhooks;

/// <summary>Limits of the webhook endpoint (section <c>Billing:Webhooks</c>).</summary>
public sealed class WebhookIngestOptions
{
    public const string SectionName = "Billing:Webhooks";

    public const int MinBodyBytes = 1024;

    /// <summary>What the event store keeps in one item whatever the body's characters (<see cref="IStripeEventStore.MaxPayloadBytes"/>).</summary>
    public const int MaxAllowedBodyBytes = IStripeEventStore.MaxPayloadBytes;

    /// <summary>Larger bodies are refused with 413 before they are verified. Stripe's events are far smaller.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;
}
