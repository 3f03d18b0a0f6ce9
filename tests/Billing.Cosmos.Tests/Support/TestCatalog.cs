using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;

namespace Billing.Cosmos.Tests.Support;

/// <summary>The one catalog of the Cosmos tests: FREE, TRIAL (14 days), BASIC and PRO (monthly).</summary>
internal static class TestCatalog
{
    public const string ProMonthly = "price_pro";
    public const string BasicMonthly = "price_basic";

    public static PlanCatalog Create()
    {
        var options = new PlanCatalogOptions();
        options.Plans.Add(new() { Code = "FREE", DisplayName = "Free", Kind = PlanKind.Free });
        options.Plans.Add(new() { Code = "TRIAL", DisplayName = "Trial", Kind = PlanKind.Trial, TrialDays = 14 });
        options.Plans.Add(new() { Code = "BASIC", DisplayName = "Basic", Prices = { Month = BasicMonthly } });
        options.Plans.Add(new() { Code = "PRO", DisplayName = "Pro", Prices = { Month = ProMonthly } });
        return PlanCatalog.Create(options);
    }
}
