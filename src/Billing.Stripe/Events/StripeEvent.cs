using System.Text.Json.Serialization;
using Billing.Stripe.Common;

namespace Billing.Stripe.Events;

/// <summary>An event (<c>object: "event"</c>), from a webhook or from the Events API. Delivery is at-least-once
/// and unordered: de-duplicate on <see cref="Id"/> and compare <see cref="Created"/> before overwriting state.</summary>
public sealed record StripeEvent : IStripeEntity
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    /// <summary>e.g. customer.subscription.updated; see <see cref="StripeEventTypes"/>.</summary>
    public required string Type { get; init; }

    public required DateTimeOffset Created { get; init; }

    public bool Livemode { get; init; }

    /// <summary>The API version the payload was rendered with; null for some events.</summary>
    public string? ApiVersion { get; init; }

    public long PendingWebhooks { get; init; }

    /// <summary>The API request that caused the event; null (or null id) for automatic events.</summary>
    public StripeEventRequest? Request { get; init; }

    public required StripeEventData Data { get; init; }
}
