using System.Text.Json.Serialization;
using Billing.Stripe.Common;
using Billing.Stripe.Prices;

namespace Billing.Stripe.Subscriptions;

/// <summary>An item of a subscription (<c>object: "subscription_item"</c>), carrying its own current period.</summary>
public sealed record StripeSubscriptionItem : IStripeEntity
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public StripePrice? Price { get; init; }

    /// <summary>Null for metered prices.</summary>
    public long? Quantity { get; init; }

    public DateTimeOffset? CurrentPeriodStart { get; init; }

    public DateTimeOffset? CurrentPeriodEnd { get; init; }

    public string? Subscription { get; init; }

    public DateTimeOffset? Created { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
