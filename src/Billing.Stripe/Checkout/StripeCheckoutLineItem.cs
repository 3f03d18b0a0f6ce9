using System.Text.Json.Serialization;
using Billing.Stripe.Common;
using Billing.Stripe.Prices;

namespace Billing.Stripe.Checkout;

/// <summary>A line of a Checkout Session (<c>object: "item"</c>).</summary>
public sealed record StripeCheckoutLineItem : IStripeEntity
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public string? Description { get; init; }

    public string? Currency { get; init; }

    public long? AmountSubtotal { get; init; }

    public long? AmountTotal { get; init; }

    public long? AmountDiscount { get; init; }

    public long? AmountTax { get; init; }

    public long? Quantity { get; init; }

    public StripePrice? Price { get; init; }
}
