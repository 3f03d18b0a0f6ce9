using System.Text.Json.Serialization;
using Billing.Stripe.Common;

namespace Billing.Stripe.Prices;

/// <summary>A price (<c>object: "price"</c>). Amounts in minor units of <see cref="Currency"/>.</summary>
public sealed record StripePrice : IStripeEntity
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public bool Active { get; init; }

    public string? Currency { get; init; }

    /// <summary>Null for tiered or custom-amount prices.</summary>
    public long? UnitAmount { get; init; }

    /// <summary>Sub-cent unit amount as Stripe's decimal string (e.g. "0.5").</summary>
    public string? UnitAmountDecimal { get; init; }

    public string? LookupKey { get; init; }

    public string? Nickname { get; init; }

    public StripeExpandable<StripeObjectReference>? Product { get; init; }

    /// <summary>one_time or recurring.</summary>
    public string? Type { get; init; }

    /// <summary>per_unit or tiered.</summary>
    public string? BillingScheme { get; init; }

    public string? TaxBehavior { get; init; }

    public StripePriceRecurring? Recurring { get; init; }

    public DateTimeOffset? Created { get; init; }

    public bool Livemode { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
