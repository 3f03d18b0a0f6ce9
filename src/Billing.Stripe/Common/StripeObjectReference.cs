using System.Text.Json.Serialization;

namespace Billing.Stripe.Common;

/// <summary>The minimum of an object this library does not model (product, payment intent, ...): id and type.</summary>
public sealed record StripeObjectReference : IStripeEntity
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }
}
