namespace Billing.Domain.Plans.Configuration;

/// <summary>
/// The plan catalog as configured (bound from e.g. the <c>Billing:Catalog</c> section). Validated and turned into
/// an immutable <see cref="PlanCatalog"/> by <see cref="PlanCatalog.Create"/>.
/// </summary>
public sealed class PlanCatalogOptions
{
    public const string SectionName = "Billing:Catalog";

    /// <summary>Every meter plans may mention (e.g. <c>agent_runs</c>, <c>tokens</c>); a typo in a plan is then an error, not an unlimited meter.</summary>
    public IList<string> Meters { get; } = [];

    public IList<PlanOptions> Plans { get; } = [];
}
