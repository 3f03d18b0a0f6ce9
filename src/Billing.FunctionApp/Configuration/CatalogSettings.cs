using Billing.Application.Catalog;
using Billing.Application.Entitlements;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Configuration;

/// <summary>The plan catalog (<c>Billing:Catalog</c>) and entitlement rules (<c>Billing:Entitlements</c>), validated at start-up.</summary>
public static class CatalogSettings
{
    public static IServiceCollection AddCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PlanCatalogOptions>().Bind(configuration.GetSection(PlanCatalogOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PlanCatalogOptions>, PlanCatalogOptionsValidator>();
        services.AddSingleton(sp => PlanCatalog.Create(sp.GetRequiredService<IOptions<PlanCatalogOptions>>().Value));
        services.AddOptions<EntitlementOptions>().Bind(configuration.GetSection(EntitlementOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EntitlementOptions>, EntitlementOptionsValidator>();
        services.AddSingleton<AccountEntitlements>();
        return services;
    }
}
