namespace Billing.Domain.Plans.Configuration;

/// <summary>
/// The plan catalog as configured (bound from e.g. the <c>Billing:Catalog</c> section). Validated and turned into
/// an immutable <see cref="PlanCatalog"/> by <see cref="PlanCatalog.Create"/>.
/// </summary>
public sealed class PlanCatalogOptions
{
    public const string SectionName = "Billing:Catalog";

    /// <summary>
    /// Every consumption meter plans may mention (e.g. <c>agent_runs</c>, <c>tokens</c>): counted per usage period and
    /// reset when a new period starts. A typo in a plan is then an error, not an unlimited meter.
    /// </summary>
    public IList<string> Meters { get; } = [];

    /// <summary>
    /// Every allocation meter plans may mention (e.g. <c>projects</c>, <c>seats</c>): units are held and released and
    /// never reset. Names must not repeat any of <see cref="Meters"/>; plans may only cap them (Enforcement = HardLimit).
    /// </summary>
    public IList<string> AllocationMeters { get; } = [];

    /// <summary>Every feature flag plans may switch on (e.g. <c>sso</c>, <c>priority_support</c>); same shape as meter names.</summary>
    public IList<string> Features { get; } = [];

    public IList<PlanOptions> Plans { get; } = [];
}
