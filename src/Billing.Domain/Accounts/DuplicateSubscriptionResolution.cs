using Billing.Domain.Pricing;

namespace Billing.Domain.Accounts;

/// <summary>
/// A second live subscription of the account that was canceled at once, with its payment refunded in full
/// (<see cref="Refunded"/> is null when there was nothing to refund, e.g. a trial).
/// </summary>
public sealed record DuplicateSubscriptionResolution
{
    public required string SubscriptionId { get; init; }

    /// <summary>The subscription the account keeps.</summary>
    public required string KeptSubscriptionId { get; init; }

    public Money? Refunded { get; init; }

    public required DateTimeOffset ResolvedAt { get; init; }
}
