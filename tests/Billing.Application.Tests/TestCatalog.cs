using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;

namespace Billing.Application.Tests;

/// <summary>The one catalog of the application tests: FREE, a 7-day TRIAL, BASIC (14-day Checkout trial, month and year), PRO (monthly only, overage).</summary>
internal static class TestCatalog
{
    public const string BasicMonthly = "price_basic_month";
    public const string BasicYearly = "price_basic_year";
    public const string ProMonthly = "price_pro_month";
    public const int BasicTrialDays = 14;
    public const int LocalTrialDays = 7;

    public static PlanCatalog Create(bool withTrialPlan = true)
    {
        var options = new PlanCatalogOptions { Meters = { "agent_runs", "tokens" } };
        var free = new PlanOptions { Code = "FREE", DisplayName = "Free", Kind = PlanKind.Free };
        free.Meters["agent_runs"] = new MeterOptions { Quota = 10 };
        options.Plans.Add(free);
        if (withTrialPlan)
        {
            var trial = new PlanOptions { Code = "TRIAL", DisplayName = "Trial", Kind = PlanKind.Trial, TrialDays = LocalTrialDays };
            trial.Meters["agent_runs"] = new MeterOptions { Quota = 100 };
            options.Plans.Add(trial);
        }

        var basic = new PlanOptions { Code = "BASIC", DisplayName = "Basic", TrialDays = BasicTrialDays, Prices = { Month = BasicMonthly, Year = BasicYearly } };
        basic.Meters["agent_runs"] = new MeterOptions { Quota = 500 };
        options.Plans.Add(basic);
        var pro = new PlanOptions { Code = "PRO", DisplayName = "Pro", Currency = "usd", Prices = { Month = ProMonthly } };
        pro.Meters["agent_runs"] = new MeterOptions { Quota = 1_000, Enforcement = MeterEnforcement.Overage, Overage = new OveragePriceOptions { UnitAmount = 3 } };
        options.Plans.Add(pro);
        return PlanCatalog.Create(options);
    }
}
