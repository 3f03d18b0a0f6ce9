namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

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
