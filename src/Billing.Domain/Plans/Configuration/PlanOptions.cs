namespace Billing.Domain.Plans.Configuration;

/// <summary>One plan as configured.</summary>
public sealed class PlanOptions
{
    /// <summary>e.g. <c>PRO</c>; upper-cased when parsed.</summary>
    public string? Code { get; set; }

    public string? DisplayName { get; set; }

    /// <summary>Paid (default), Free (exactly one) or Trial (at most one).</summary>
    public PlanKind Kind { get; set; } = PlanKind.Paid;

    /// <summary>Stripe price ids per interval; a paid plan needs at least one.</summary>
    public PlanPriceOptions Prices { get; } = new();

    /// <summary>Trial plan: the app-side trial length (required). Paid plan: the Checkout trial length (0 = none).</summary>
    public int TrialDays { get; set; }

    /// <summary>Currency of the overage prices, lower case like Stripe (<c>usd</c>); needed when a meter is billed as overage.</summary>
    public string? Currency { get; set; }

    /// <summary>Quotas by meter name (consumption or allocation meters); a meter not listed is unlimited.</summary>
    public IDictionary<string, MeterOptions> Meters { get; } = new Dictionary<string, MeterOptions>(StringComparer.Ordinal);

    /// <summary>The features this plan switches on; each must be declared in <see cref="PlanCatalogOptions.Features"/>. Features not listed are off.</summary>
    public IList<string> Features { get; } = [];
}
