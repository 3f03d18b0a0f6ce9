using Billing.Domain.Metering;
using Billing.Domain.Pricing;

namespace Billing.Domain.Plans;

/// <summary>A validated plan of the <see cref="PlanCatalog"/>.</summary>
public sealed class Plan
{
    internal Plan(
        PlanCode code,
        string displayName,
        PlanKind kind,
        IReadOnlyDictionary<BillingInterval, string> priceIds,
        int trialDays,
        Currency? currency,
        IReadOnlyDictionary<MeterName, MeterPolicy> meters)
    {
        Code = code;
        DisplayName = displayName;
        Kind = kind;
        PriceIds = priceIds;
        TrialDays = trialDays;
        Currency = currency;
        Meters = meters;
    }

    public PlanCode Code { get; }

    public string DisplayName { get; }

    public PlanKind Kind { get; }

    /// <summary>Stripe price ids by interval (paid plans only).</summary>
    public IReadOnlyDictionary<BillingInterval, string> PriceIds { get; }

    /// <summary>For the trial plan: the app-side trial's length. For paid plans: the Checkout trial (0 = none).</summary>
    public int TrialDays { get; }

    /// <summary>The currency of overage prices; null when no meter is billed as overage.</summary>
    public Currency? Currency { get; }

    /// <summary>The meters this plan limits or bills. Meters not listed are unlimited.</summary>
    public IReadOnlyDictionary<MeterName, MeterPolicy> Meters { get; }

    public MeterPolicy PolicyFor(MeterName meter) =>
        Meters.TryGetValue(meter, out var policy) ? policy : MeterPolicy.Unlimited(meter);

    public string? PriceIdFor(BillingInterval interval) => PriceIds.TryGetValue(interval, out var id) ? id : null;

    public override string ToString() => Code.Value;
}
