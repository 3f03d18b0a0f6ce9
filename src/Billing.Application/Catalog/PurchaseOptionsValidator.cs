using Billing.Domain.Plans.Configuration;
using Microsoft.Extensions.Options;

namespace Billing.Application.Catalog;

/// <summary>Start-up validation of the credit packs and add-ons (their meters must be the plan catalog's).</summary>
public sealed class PurchaseOptionsValidator(IOptions<PlanCatalogOptions> plans) : IValidateOptions<PurchaseOptions>
{
    public ValidateOptionsResult Validate(string? name, PurchaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = PurchaseCatalog.Validate(options, plans.Value);
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"{PurchaseOptions.SectionName}:{e}"));
    }
}
