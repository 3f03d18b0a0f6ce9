namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>The caller's billing state: the plan that applies now and why, the subscription, the trial and usage.</summary>
public sealed record SubscriptionResponse
{
    /// <summary>The caller's own account (from the token's account claim).</summary>
    public required string AccountId { get; init; }

    public required DateTimeOffset AsOf { get; init; }

    /// <summary>The plan whose limits apply now.</summary>
    public required PlanSummaryResponse Plan { get; init; }

    /// <summary>Why: free, localTrial, subscription or gracePeriod (payment failed, limits kept for a while).</summary>
    public required string Source { get; init; }

    /// <summary>When the current plan stops applying if nothing changes (trial end, cancellation, grace end); null if open-ended.</summary>
    public DateTimeOffset? PlanEndsAt { get; init; }

    /// <summary>Stripe's subscription status (trialing, active, past_due, unpaid, canceled, incomplete, incomplete_expired, paused); null without a subscription.</summary>
    public string? Status { get; init; }

    /// <summary>The subscription ends at the end of the current period.</summary>
    public required bool CancelAtPeriodEnd { get; init; }

    /// <summary>The current usage period (the subscription period, the trial window, or the calendar month).</summary>
    public required PeriodResponse Period { get; init; }

    public SubscriptionDetailsResponse? Subscription { get; init; }

    public required TrialStateResponse Trial { get; init; }

    /// <summary>POST /api/billing/portal can be used (the account has a Stripe customer).</summary>
    public required bool PortalAvailable { get; init; }

    public required IReadOnlyList<MeterUsageResponse> Usage { get; init; }
}
