using Billing.Stripe.Common;

namespace Billing.Stripe.Subscriptions;

/// <summary><c>GET /v1/subscriptions</c>, typically by <c>customer</c>. Without <see cref="Status"/> Stripe lists the subscriptions that are not canceled.</summary>
public sealed record SubscriptionListRequest
{
    public string? Customer { get; init; }

    public string? Price { get; init; }

    /// <summary>A <see cref="StripeSubscriptionStatuses"/> value, <c>ended</c> or <c>all</c>.</summary>
    public string? Status { get; init; }

    public string? CollectionMethod { get; init; }

    public StripeDateRange? Created { get; init; }

    /// <summary>1..100, Stripe's default is 10.</summary>
    public int? Limit { get; init; }

    public string? StartingAfter { get; init; }

    public IReadOnlyList<string>? Expand { get; init; }
}
