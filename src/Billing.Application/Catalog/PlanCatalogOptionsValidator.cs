using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Microsoft.Extensions.Options;

namespace Billing.Application.Catalog;

/// <summary>Start-up validation of the plan catalog configuration, reporting every problem at once.</summary>
public sealed class PlanCatalogOptionsValidator : IValidateOptions<PlanCatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, PlanCatalogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = PlanCatalog.Validate(options);
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"{PlanCatalogOptions.SectionName}: {e}"));
    }
}
