using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;

namespace Billing.Application.Tests;

internal static class TestCatalog
{
    public const string ProMonthly = "price_pro_month";
    public const string BasicMonthly = "price_basic_month";

    public static PlanCatalog Create()
    {
        var options = new PlanCatalogOptions { Meters = { "agent_runs" } };
        var free = new PlanOptions { Code = "FREE", DisplayName = "Free", Kind = PlanKind.Free };
        free.Meters["agent_runs"] = new MeterOptions { Quota = 10 };
        options.Plans.Add(free);
        options.Plans.Add(new PlanOptions { Code = "TRIAL", DisplayName = "Trial", Kind = PlanKind.Trial, TrialDays = 14 });
        var pro = new PlanOptions { Code = "PRO", DisplayName = "Pro", Prices = { Month = ProMonthly } };
        pro.Meters["agent_runs"] = new MeterOptions { Quota = 1_000 };
        options.Plans.Add(pro);
        var basic = new PlanOptions { Code = "BASIC", DisplayName = "Basic", Prices = { Month = BasicMonthly } };
        basic.Meters["agent_runs"] = new MeterOptions { Quota = 100 };
        options.Plans.Add(basic);
        return PlanCatalog.Create(options);
    }
}
