using Billing.Domain.Metering;
using Billing.Domain.Pricing;

namespace Billing.Domain.Plans;

/// <summary>A validated plan of the <see cref="PlanCatalog"/>.</summary>
public sealed class Plan
{
    private readonly IReadOnlyDictionary<MeterName, MeterKind> _meterKinds;

    internal Plan(
        PlanCode code,
        string displayName,
        PlanKind kind,
        IReadOnlyDictionary<BillingInterval, string> priceIds,
        int trialDays,
        Currency? currency,
        IReadOnlyDictionary<MeterName, MeterPolicy> meters,
        IReadOnlySet<FeatureName> features,
        IReadOnlyDictionary<MeterName, MeterKind> meterKinds)
    {
        Code = code;
        DisplayName = displayName;
        Kind = kind;
        PriceIds = priceIds;
        TrialDays = trialDays;
        Currency = currency;
        Meters = meters;
        Features = features;
        _meterKinds = meterKinds;
    }

    public PlanCode Code { get; }

    public string DisplayName { get; }

    public PlanKind Kind { get; }

    /// <summary>Stripe price ids by interval (paid plans only).</summary>
    public IReadOnlyDictionary<BillingInterval, string> PriceIds { get; }

    /// <summary>For the trial plan: the app-side trial's length. For paid plans: the Checkout trial (0 = none).</summary>
    public int TrialDays { get; }

    /// <summary>The plan's configured currency: that of its overage prices and usage invoices; null when the catalog names none (a plan that bills overage must).</summary>
    public Currency? Currency { get; }

    /// <summary>Whether a meter is billed as overage: the plan's usage is then invoiced, in its <see cref="Currency"/>.</summary>
    public bool InvoicesUsage => Meters.Values.Any(m => m.Enforcement == MeterEnforcement.Overage && m.OveragePrice is not null);

    /// <summary>The plan's policy for every declared meter (consumption and allocation): the catalog refuses a plan that leaves one out.</summary>
    public IReadOnlyDictionary<MeterName, MeterPolicy> Meters { get; }

    /// <summary>The features this plan switches on; every other feature is off.</summary>
    public IReadOnlySet<FeatureName> Features { get; }

    /// <summary>
    /// The plan's policy for <paramref name="meter"/>. Every declared meter is listed; a meter the catalog no longer
    /// declares (found in an older period's counters) is unlimited, so it is neither refused nor billed.
    /// </summary>
    public MeterPolicy PolicyFor(MeterName meter) =>
        Meters.TryGetValue(meter, out var policy)
            ? policy
            : MeterPolicy.Unlimited(meter, _meterKinds.TryGetValue(meter, out var kind) ? kind : MeterKind.Consumption);

    public bool HasFeature(FeatureName feature) => Features.Contains(feature);

    public string? PriceIdFor(BillingInterval interval) => PriceIds.TryGetValue(interval, out var id) ? id : null;

    public override string ToString() => Code.Value;
}
