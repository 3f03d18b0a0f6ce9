
namespace Billing.FunctionApp.Api.Contracts;

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

/// <summary>The Stripe subscription as last seen.</summary>
public sealed record SubscriptionDetailsResponse
{
    public required string Status { get; init; }

    /// <summary>The catalog plan of its price; null when the price is not in the catalog.</summary>
    public string? Plan { get; init; }

    public string? Interval { get; init; }

    public DateTimeOffset? CurrentPeriodStart { get; init; }

    public DateTimeOffset? CurrentPeriodEnd { get; init; }

    public required bool CancelAtPeriodEnd { get; init; }

    public DateTimeOffset? CancelAt { get; init; }

    public DateTimeOffset? CanceledAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public DateTimeOffset? TrialStart { get; init; }

    public DateTimeOffset? TrialEnd { get; init; }
}

public sealed record PlanSummaryResponse(string Code, string DisplayName, string Kind);

/// <summary>[Start, End).</summary>
public sealed record PeriodResponse(DateTimeOffset Start, DateTimeOffset End);

/// <summary>One meter in the current period.</summary>
public sealed record MeterUsageResponse
{
    public required string Meter { get; init; }

    public required long Used { get; init; }

    /// <summary>Units included in the period; null = unlimited.</summary>
    public long? Limit { get; init; }

    /// <summary>hardLimit or overage.</summary>
    public required string Enforcement { get; init; }

    /// <summary>Units left before the limit; null when unlimited.</summary>
    public long? Remaining { get; init; }

    /// <summary>Units beyond the limit that will be invoiced (overage meters).</summary>
    public required long OverageUnits { get; init; }

    /// <summary>What the overage costs so far; null for meters not billed as overage.</summary>
    public MoneyResponse? OverageCharge { get; init; }
}

/// <summary>The account's one trial.</summary>
public sealed record TrialStateResponse
{
    /// <summary>POST /api/billing/trial would start a trial now.</summary>
    public required bool Available { get; init; }

    /// <summary>When the account's trial began (app-side or through Checkout); null if it never had one.</summary>
    public DateTimeOffset? UsedAt { get; init; }

    /// <summary>The app-side trial, running or over; null if none was started.</summary>
    public LocalTrialResponse? Local { get; init; }
}

public sealed record LocalTrialResponse(string Plan, DateTimeOffset StartedAt, DateTimeOffset EndsAt, bool Running);
