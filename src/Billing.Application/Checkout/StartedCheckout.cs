using Billing.Domain.Plans;

namespace Billing.Application.Checkout;

/// <summary>A created Checkout Session for the caller's account.</summary>
public sealed record StartedCheckout
{
    public required string SessionId { get; init; }

    public required Uri Url { get; init; }

    public required PlanCode Plan { get; init; }

    public required BillingInterval Interval { get; init; }

    public required string PriceId { get; init; }

    /// <summary>The Stripe-side trial granted with this Checkout; null for none.</summary>
    public int? TrialDays { get; init; }

    /// <summary>The account's open session for the same plan and interval was handed out again.</summary>
    public bool Reused { get; init; }
}
