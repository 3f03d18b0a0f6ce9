using Billing.Domain.Plans;

namespace Billing.Domain.Accounts;

/// <summary>
/// The account's one open subscription Checkout Session: reused for another Checkout of the same plan and interval
/// while it is open, expired at Stripe before a Checkout of anything else is created.
/// </summary>
public sealed record OpenCheckout
{
    public required string SessionId { get; init; }

    public required Uri Url { get; init; }

    public required PlanCode PlanCode { get; init; }

    public required BillingInterval Interval { get; init; }

    public required string PriceId { get; init; }

    /// <summary>When Stripe expires the session (its <c>expires_at</c>).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public bool IsOpenAt(DateTimeOffset instant) => instant < ExpiresAt;

    public bool Sells(PlanCode plan, BillingInterval interval) => PlanCode == plan && Interval == interval;
}
