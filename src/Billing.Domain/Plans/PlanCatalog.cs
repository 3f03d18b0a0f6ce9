using System.Diagnostics.CodeAnalysis;
using Billing.Domain.Metering;
using Billing.Domain.Plans.Configuration;
using Billing.Domain.Pricing;

namespace Billing.Domain.Plans;

/// <summary>
/// The validated, immutable plan catalog: exactly one free plan (the default), at most one trial plan, paid plans
/// with unique Stripe price ids; the declared consumption and allocation meters and feature flags.
/// Build it once at start-up with <see cref="Create"/>. Paid plans are listed from the lowest to the highest: the
/// order says which plan allows more (<see cref="IsBelow"/>).
/// </summary>
public sealed class PlanCatalog
{
    private readonly Dictionary<PlanCode, Plan> _byCode;
    private readonly Dictionary<string, PlanPrice> _byPriceId;
    private readonly IReadOnlyDictionary<MeterName, MeterKind> _meterKinds;
    private readonly Dictionary<PlanCode, int> _rank;

    internal PlanCatalog(
        IReadOnlyList<Plan> plans,
        IReadOnlyList<MeterName> meters,
        IReadOnlyList<MeterName> allocationMeters,
        IReadOnlyList<FeatureName> features,
        IReadOnlyDictionary<MeterName, MeterKind> meterKinds)
    {
        Plans = plans;
        Meters = meters;
        AllocationMeters = allocationMeters;
        Features = features;
        _meterKinds = meterKinds;
        _byCode = plans.ToDictionary(p => p.Code);
        _rank = plans.Select((p, i) => (p.Code, i)).ToDictionary(p => p.Code, p => p.i);
        _byPriceId = plans
            .SelectMany(p => p.PriceIds.Select(price => new PlanPrice(p, price.Key, price.Value)))
            .ToDictionary(p => p.PriceId, StringComparer.Ordinal);
        FreePlan = plans.Single(p => p.Kind == PlanKind.Free);
        TrialPlan = plans.SingleOrDefault(p => p.Kind == PlanKind.Trial);
        // Only a plan that bills a meter as overage ever has a usage invoice: a currency named on a plan that bills
        // nothing (a free plan's "usd" beside paid plans in "eur") is not one credit can be spent in.
        _invoiceCurrencies = [.. plans
            .Where(p => p.InvoicesUsage)
            .Select(p => p.Currency?.Code).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private readonly List<string> _invoiceCurrencies;

    /// <summary>The plans in configuration order: paid plans from the lowest to the highest.</summary>
    public IReadOnlyList<Plan> Plans { get; }

    /// <summary>The consumption meters declared in configuration (counted per usage period), in declaration order.</summary>
    public IReadOnlyList<MeterName> Meters { get; }

    /// <summary>The allocation meters declared in configuration (units held and released, never reset), in declaration order.</summary>
    public IReadOnlyList<MeterName> AllocationMeters { get; }

    /// <summary>The feature flags declared in configuration, in declaration order.</summary>
    public IReadOnlyList<FeatureName> Features { get; }

    /// <summary>The default plan: its limits apply whenever nothing else does.</summary>
    public Plan FreePlan { get; }

    /// <summary>The plan <c>POST /trial</c> grants; null when no trial is offered.</summary>
    public Plan? TrialPlan { get; }

    /// <summary>
    /// Why prepaid credit in <paramref name="currency"/> could never be spent (credit is spent only on usage invoices,
    /// in a plan's overage currency); null when it can.
    /// </summary>
    public string? WhyCreditUnspendable(Currency currency)
    {
        var invoiced = _invoiceCurrencies;
        return invoiced.Count == 0 ? "No plan invoices usage, so no credit can ever be spent."
            : invoiced.Contains(currency.Code) ? null
            : $"Credit is spent on usage invoices, which are in {string.Join(", ", invoiced)}; credit in '{currency.Code}' could never be spent.";
    }

    /// <summary>Validates <paramref name="options"/> and builds the catalog.</summary>
    /// <exception cref="PlanCatalogException">Lists every validation error at once.</exception>
    public static PlanCatalog Create(PlanCatalogOptions options) =>
        TryCreate(options, out var catalog, out var errors) ? catalog : throw new PlanCatalogException(errors);

    public static bool TryCreate(PlanCatalogOptions options, [NotNullWhen(true)] out PlanCatalog? catalog, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new PlanCatalogBuilder(options);
        catalog = builder.Build();
        errors = builder.Errors;
        return catalog is not null;
    }

    /// <summary>Every validation error of <paramref name="options"/>; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(PlanCatalogOptions options)
    {
        TryCreate(options, out _, out var errors);
        return errors;
    }

    /// <summary>Whether <paramref name="meter"/> is a consumption or an allocation meter; null when it is not declared.</summary>
    public MeterKind? KindOf(MeterName meter) => _meterKinds.TryGetValue(meter, out var kind) ? kind : null;

    public Plan? Find(PlanCode code) => _byCode.GetValueOrDefault(code);

    /// <summary>Whether <paramref name="plan"/> is listed before <paramref name="other"/>, i.e. is the lower plan of the two.</summary>
    public bool IsBelow(Plan plan, Plan other)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(other);
        return _rank[plan.Code] < _rank[other.Code];
    }

    public Plan Get(PlanCode code) =>
        Find(code) ?? throw new KeyNotFoundException($"The plan catalog has no plan '{code}'.");

    /// <summary>The plan and interval a Stripe price id stands for (e.g. when a subscription changes price).</summary>
    public PlanPrice? FindPrice(string priceId)
    {
        ArgumentNullException.ThrowIfNull(priceId);
        return _byPriceId.GetValueOrDefault(priceId);
    }
}
