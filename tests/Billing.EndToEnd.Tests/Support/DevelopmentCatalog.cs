using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.TestSupport;
using Microsoft.Extensions.Configuration;

namespace Billing.EndToEnd.Tests.Support;

/// <summary>The plan catalog the app runs with in Development (its appsettings.Development.json), to evaluate entitlements at chosen instants.</summary>
internal static class DevelopmentCatalog
{
    public static readonly TimeSpan PastDueGracePeriod = TimeSpan.FromDays(7);

    private static readonly Lazy<PlanCatalog> Catalog = new(() =>
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp", "appsettings.Development.json"))
            .Build();
        var options = new PlanCatalogOptions();
        configuration.GetSection(PlanCatalogOptions.SectionName).Bind(options);
        return PlanCatalog.Create(options);
    });

    public static PlanCatalog Instance => Catalog.Value;
}
