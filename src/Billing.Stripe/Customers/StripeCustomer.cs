using System.Text.Json.Serialization;
using Billing.Stripe.Common;

namespace Billing.Stripe.Customers;

/// <summary>A Stripe customer (<c>object: "customer"</c>). A deleted customer comes back with only id and <see cref="Deleted"/>.</summary>
public sealed record StripeCustomer : IStripeEntity
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public string? Email { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public string? Phone { get; init; }

    public string? Currency { get; init; }

    /// <summary>Customer balance in minor units of <see cref="Currency"/> (negative = credit).</summary>
    public long? Balance { get; init; }

    public bool? Delinquent { get; init; }

    public DateTimeOffset? Created { get; init; }

    public bool Livemode { get; init; }

    public string? TestClock { get; init; }

    public bool? Deleted { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
