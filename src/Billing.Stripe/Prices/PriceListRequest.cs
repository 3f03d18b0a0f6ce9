using Billing.Stripe.Common;

namespace Billing.Stripe.Prices;

/// <summary><c>GET /v1/prices</c>, typically by <c>lookup_keys[]</c>.</summary>
public sealed record PriceListRequest
{
    public IReadOnlyList<string>? LookupKeys { get; init; }

    public bool? Active { get; init; }

    public string? Product { get; init; }

    public string? Currency { get; init; }

    /// <summary>one_time or recurring.</summary>
    public string? Type { get; init; }

    public StripeDateRange? Created { get; init; }

    /// <summary>1..100, Stripe's default is 10.</summary>
    public int? Limit { get; init; }

    public string? StartingAfter { get; init; }

    public IReadOnlyList<string>? Expand { get; init; }
}
