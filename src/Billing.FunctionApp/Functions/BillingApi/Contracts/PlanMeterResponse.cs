namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>A plan's quota for one meter.</summary>
public sealed record PlanMeterResponse
{
    public required string Meter { get; init; }

    /// <summary>Units included per period; null = unlimited.</summary>
    public long? Quota { get; init; }

    /// <summary>hardLimit (refused beyond the quota) or overage (billed beyond it).</summary>
    public required string Enforcement { get; init; }

    /// <summary>Set for overage meters.</summary>
    public OveragePriceResponse? Overage { get; init; }
}
