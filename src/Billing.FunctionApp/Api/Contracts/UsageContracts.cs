namespace Billing.FunctionApp.Api.Contracts;

/// <summary>The caller's usage: the current period, or the periods that started in the month asked for.</summary>
public sealed record UsageReportResponse
{
    public required string AccountId { get; init; }

    public required DateTimeOffset AsOf { get; init; }

    /// <summary><c>current</c> or the month asked for (YYYY-MM).</summary>
    public required string Period { get; init; }

    public required IReadOnlyList<UsagePeriodResponse> Periods { get; init; }
}

/// <summary>One usage period with every meter against the limits of the plan that applied, overage priced.</summary>
public sealed record UsagePeriodResponse
{
    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }

    public required PlanSummaryResponse Plan { get; init; }

    public required IReadOnlyList<MeterUsageResponse> Meters { get; init; }

    /// <summary>The overage accrued so far, per currency (empty when nothing is billed beyond the plan).</summary>
    public required IReadOnlyList<MoneyResponse> OverageTotal { get; init; }
}

/// <summary>Every limit and feature the caller has now, and why.</summary>
public sealed record EntitlementsResponse
{
    public required string AccountId { get; init; }

    public required DateTimeOffset AsOf { get; init; }

    public required PlanSummaryResponse Plan { get; init; }

    /// <summary>free, freeFallback (a subscription or trial ended), localTrial, subscriptionTrial, subscription or gracePeriod.</summary>
    public required string Reason { get; init; }

    /// <summary>When these entitlements end if nothing changes (trial end, cancellation, grace end); null if open-ended.</summary>
    public DateTimeOffset? EndsAt { get; init; }

    public required PeriodResponse Period { get; init; }

    public required IReadOnlyList<MeterEntitlementResponse> Meters { get; init; }

    /// <summary>Every feature of the catalog, on or off for this account.</summary>
    public required IReadOnlyList<FeatureEntitlementResponse> Features { get; init; }

    /// <summary>The bought add-ons that raise the limits above now, oldest first.</summary>
    public required IReadOnlyList<AddOnEntitlementResponse> AddOns { get; init; }
}

/// <summary>One bought add-on in force: +units on a meter's limit, until when, and the Checkout Session that paid for it.</summary>
public sealed record AddOnEntitlementResponse(string Code, string Meter, long Units, DateTimeOffset GrantedAt, DateTimeOffset? ExpiresAt, string? SessionId);

/// <summary>A meter's limit: consumption meters per period, allocation meters with the units held.</summary>
public sealed record MeterEntitlementResponse
{
    public required string Meter { get; init; }

    /// <summary>consumption (resets every period) or allocation (held and released).</summary>
    public required string Kind { get; init; }

    /// <summary>The hard limit or the included units; null = unlimited.</summary>
    public long? Limit { get; init; }

    /// <summary>hardLimit or overage.</summary>
    public required string Enforcement { get; init; }

    /// <summary>Allocation meters: the units held now.</summary>
    public long? Held { get; init; }
}

public sealed record FeatureEntitlementResponse(string Feature, bool Enabled);
