using Billing.Domain.Plans.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Billing.Application.Catalog;

/// <summary>
/// Start-up check that <c>Billing:Catalog</c> holds only settings the catalog reads. The configuration binder skips a
/// key it does not know, so a misspelt <c>FlatAmount</c> would price its tier without the fee and Stripe's
/// <c>TiersMode</c> (the catalog's tiers are graduated only) would price volume tiers as graduated, both silently.
/// Each unknown key is reported with its full path.
/// </summary>
public sealed class PlanCatalogKeysValidator(IConfigurationSection catalog) : IValidateOptions<PlanCatalogOptions>
{
    private static readonly string[] CatalogKeys = [nameof(PlanCatalogOptions.Meters), nameof(PlanCatalogOptions.AllocationMeters), nameof(PlanCatalogOptions.Features), nameof(PlanCatalogOptions.Plans)];
    private static readonly string[] PlanKeys = [nameof(PlanOptions.Code), nameof(PlanOptions.DisplayName), nameof(PlanOptions.Kind), nameof(PlanOptions.Prices), nameof(PlanOptions.TrialDays), nameof(PlanOptions.Currency), nameof(PlanOptions.Meters), nameof(PlanOptions.Features)];
    private static readonly string[] PriceKeys = [nameof(PlanPriceOptions.Month), nameof(PlanPriceOptions.Year)];
    private static readonly string[] MeterKeys = [nameof(MeterOptions.Quota), nameof(MeterOptions.Enforcement), nameof(MeterOptions.Overage)];
    private static readonly string[] OverageKeys = [nameof(OveragePriceOptions.UnitAmount), nameof(OveragePriceOptions.Tiers)];
    private static readonly string[] TierKeys = [nameof(PriceTierOptions.UpTo), nameof(PriceTierOptions.UnitAmount), nameof(PriceTierOptions.FlatAmount)];

    public ValidateOptionsResult Validate(string? name, PlanCatalogOptions options)
    {
        var errors = new List<string>();
        Check(catalog, CatalogKeys, errors);
        foreach (var plan in catalog.GetSection(nameof(PlanCatalogOptions.Plans)).GetChildren())
        {
            Check(plan, PlanKeys, errors);
            Check(plan.GetSection(nameof(PlanOptions.Prices)), PriceKeys, errors);
            foreach (var meter in plan.GetSection(nameof(PlanOptions.Meters)).GetChildren())
            {
                Check(meter, MeterKeys, errors);
                var overage = meter.GetSection(nameof(MeterOptions.Overage));
                Check(overage, OverageKeys, errors);
                foreach (var tier in overage.GetSection(nameof(OveragePriceOptions.Tiers)).GetChildren())
                {
                    Check(tier, TierKeys, errors);
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(IConfigurationSection section, string[] known, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{child.Path}: not a catalog setting, so it would be ignored; the settings here are {string.Join(", ", known)}.");
            }
        }
    }
}
