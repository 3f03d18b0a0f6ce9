using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;

namespace Billing.Domain.Tests;

/// <summary>A realistic catalog: FREE, TRIAL (14 days), BASIC (month/year), PRO (month, overage meters).</summary>
internal static class TestCatalog
{
    public const string BasicMonthly = "price_basic_month";
    public const string BasicYearly = "price_basic_year";
    public const string ProMonthly = "price_pro_month";

    public static PlanCatalogOptions Options()
    {
        var options = new PlanCatalogOptions { Meters = { "agent_runs", "tokens", "api_calls" } };

        var free = new PlanOptions { Code = "FREE", DisplayName = "Free", Kind = PlanKind.Free };
        free.Meters["agent_runs"] = new MeterOptions { Quota = 10 };
        free.Meters["tokens"] = new MeterOptions { Quota = 1_000 };
        options.Plans.Add(free);

        var trial = new PlanOptions { Code = "TRIAL", DisplayName = "Trial", Kind = PlanKind.Trial, TrialDays = 14 };
        trial.Meters["agent_runs"] = new MeterOptions { Quota = 100 };
        options.Plans.Add(trial);

        var basic = new PlanOptions { Code = "BASIC", DisplayName = "Basic", Prices = { Month = BasicMonthly, Year = BasicYearly } };
        basic.Meters["agent_runs"] = new MeterOptions { Quota = 100 };
        options.Plans.Add(basic);

        var pro = new PlanOptions { Code = "PRO", DisplayName = "Pro", Prices = { Month = ProMonthly }, TrialDays = 7, Currency = "usd" };
        pro.Meters["agent_runs"] = new MeterOptions
        {
            Quota = 1_000,
            Enforcement = MeterEnforcement.Overage,
            Overage = new OveragePriceOptions { UnitAmount = 5 },
        };
        pro.Meters["tokens"] = new MeterOptions
        {
            Quota = 100_000,
            Enforcement = MeterEnforcement.Overage,
            Overage = new OveragePriceOptions
            {
                Tiers =
                {
                    new PriceTierOptions { UpTo = 1_000, UnitAmount = 2 },
                    new PriceTierOptions { UpTo = 10_000, UnitAmount = 1, FlatAmount = 100 },
                    new PriceTierOptions { UnitAmount = 0, FlatAmount = 500 },
                },
            },
        };
        pro.Meters["api_calls"] = new MeterOptions { Quota = 0 };
        options.Plans.Add(pro);

        return options;
    }

    public static PlanCatalog Create() => PlanCatalog.Create(Options());

    public static PlanOptions Plan(this PlanCatalogOptions options, string code) =>
        options.Plans.Single(p => p.Code == code);
}
