using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.Domain.Pricing;

namespace Billing.TestSupport;

/// <summary>
/// The one plan catalog of the tests: consumption meters <c>agent_runs</c>, <c>tokens</c>, <c>api_calls</c>; the
/// allocation meter <c>projects</c> (FREE 1, TRIAL 3, BASIC 5, PRO 20); features <c>sso</c> (PRO) and
/// <c>priority_support</c> (BASIC and PRO). Plans: FREE, a 7-day local TRIAL, BASIC (month and year, a 14-day Checkout
/// trial), PRO (monthly, overage on agent runs and graduated tiers on tokens, unlimited API calls). Tests that need a
/// variant change a copy of <see cref="Options"/>.
/// </summary>
public static class TestCatalog
{
    public const string BasicMonthly = "price_basic_month";
    public const string BasicYearly = "price_basic_year";
    public const string ProMonthly = "price_pro_month";
    public const int BasicTrialDays = 14;
    public const int LocalTrialDays = 7;

    public static PlanCatalogOptions Options(bool withTrialPlan = true)
    {
        var options = new PlanCatalogOptions
        {
            Meters = { "agent_runs", "tokens", "api_calls" },
            AllocationMeters = { "projects" },
            Features = { "sso", "priority_support" },
        };

        var free = new PlanOptions { Code = "FREE", DisplayName = "Free", Kind = PlanKind.Free };
        free.Meters["agent_runs"] = new MeterOptions { Quota = 10 };
        free.Meters["tokens"] = new MeterOptions { Quota = 1_000 };
        free.Meters["api_calls"] = new MeterOptions { Quota = 0 };
        free.Meters["projects"] = new MeterOptions { Quota = 1 };
        options.Plans.Add(free);

        if (withTrialPlan)
        {
            var trial = new PlanOptions { Code = "TRIAL", DisplayName = "Trial", Kind = PlanKind.Trial, TrialDays = LocalTrialDays };
            trial.Meters["agent_runs"] = new MeterOptions { Quota = 100 };
            trial.Meters["tokens"] = new MeterOptions { Quota = 0 };
            trial.Meters["api_calls"] = new MeterOptions { Quota = 0 };
            trial.Meters["projects"] = new MeterOptions { Quota = 3 };
            options.Plans.Add(trial);
        }

        var basic = new PlanOptions { Code = "BASIC", DisplayName = "Basic", TrialDays = BasicTrialDays, Prices = { Month = BasicMonthly, Year = BasicYearly } };
        basic.Meters["agent_runs"] = new MeterOptions { Quota = 500 };
        basic.Meters["tokens"] = new MeterOptions { Quota = 0 };
        basic.Meters["api_calls"] = new MeterOptions { Quota = 0 };
        basic.Meters["projects"] = new MeterOptions { Quota = 5 };
        basic.Features.Add("priority_support");
        options.Plans.Add(basic);

        var pro = new PlanOptions { Code = "PRO", DisplayName = "Pro", Prices = { Month = ProMonthly }, Currency = "usd" };
        pro.Meters["agent_runs"] = new MeterOptions
        {
            Quota = 1_000,
            Enforcement = MeterEnforcement.Overage,
            Overage = new OveragePriceOptions { UnitAmount = 3 },
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
        pro.Meters["projects"] = new MeterOptions { Quota = 20 };
        pro.Features.Add("sso");
        pro.Features.Add("priority_support");
        options.Plans.Add(pro);
        return options;
    }

    public static PlanCatalog Create(bool withTrialPlan = true) => PlanCatalog.Create(Options(withTrialPlan));

    /// <summary>
    /// <see cref="Options"/> with PRO invoicing its overage in <paramref name="currency"/>, its overage amounts in the
    /// currency's chargeable steps (ISK x100, KWD x10: the same prices in whole amounts of it).
    /// </summary>
    public static PlanCatalogOptions InvoicingProIn(string currency)
    {
        var options = Options();
        var pro = options.Plan("PRO");
        var step = Currency.Parse(currency).MinorUnitStep;
        pro.Currency = currency;
        pro.Meters["agent_runs"].Overage!.UnitAmount *= step;
        foreach (var tier in pro.Meters["tokens"].Overage!.Tiers)
        {
            tier.UnitAmount *= step;
            tier.FlatAmount *= step;
        }

        return options;
    }

    public static PlanOptions Plan(this PlanCatalogOptions options, string code)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Plans.Single(p => p.Code == code);
    }

    /// <summary>Lists every declared meter of <paramref name="options"/> the plan leaves out, as unlimited (Quota 0).</summary>
    public static PlanOptions ListingEveryMeter(this PlanOptions plan, PlanCatalogOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var meter in options.Meters.Concat(options.AllocationMeters))
        {
            plan.Meters.TryAdd(meter, new MeterOptions { Quota = 0 });
        }

        return plan;
    }
}
