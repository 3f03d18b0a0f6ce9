namespace Billing.FunctionApp.Functions.BillingApi.Contracts;

/// <summary>The price of units beyond the quota, in integer minor units of <see cref="Currency"/>: per unit, or graduated tiers.</summary>
public sealed record OveragePriceResponse
{
    public required string Currency { get; init; }

    public long? UnitAmount { get; init; }

    public IReadOnlyList<PriceTierResponse>? Tiers { get; init; }
}
