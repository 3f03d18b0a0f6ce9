using System.Text;
using Billing.Application.Catalog;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Billing.Application.Tests.Catalog;

public sealed class PlanCatalogOptionsBindingTests
{
    private const string ValidJson = """
        {
          "Billing": {
            "Catalog": {
              "Meters": [ "agent_runs", "tokens" ],
              "Plans": [
                { "Code": "FREE", "DisplayName": "Free", "Kind": "Free", "Meters": { "agent_runs": { "Quota": 10 }, "tokens": { "Quota": 0 } } },
                { "Code": "TRIAL", "DisplayName": "Trial", "Kind": "Trial", "TrialDays": 14, "Meters": { "agent_runs": { "Quota": 0 }, "tokens": { "Quota": 0 } } },
                {
                  "Code": "PRO", "DisplayName": "Pro", "Currency": "usd", "TrialDays": 7,
                  "Prices": { "Month": "price_pro_m", "Year": "price_pro_y" },
                  "Meters": {
                    "agent_runs": { "Quota": 1000 },
                    "tokens": {
                      "Quota": 100000, "Enforcement": "Overage",
                      "Overage": { "Tiers": [ { "UpTo": 1000, "UnitAmount": 2 }, { "UnitAmount": 1, "FlatAmount": 50 } ] }
                    }
                  }
                }
              ]
            }
          }
        }
        """;

    [Fact]
    public void Binds_from_json_configuration_into_a_valid_catalog()
    {
        var options = Bind(ValidJson).GetRequiredService<IOptions<PlanCatalogOptions>>().Value;

        var catalog = PlanCatalog.Create(options);

        Assert.Equal(["FREE", "TRIAL", "PRO"], catalog.Plans.Select(p => p.Code.Value));
        var pro = catalog.FindPrice("price_pro_y")!.Plan;
        Assert.Equal(BillingInterval.Year, catalog.FindPrice("price_pro_y")!.Interval);
        Assert.Equal(1_000, pro.PolicyFor(MeterName.Parse("agent_runs")).HardLimit);
        Assert.Equal(new Money(2_000 + 500 + 50, Currency.Parse("usd")), pro.PolicyFor(MeterName.Parse("tokens")).OverageCharge(101_500));
    }

    [Fact]
    public void Invalid_configuration_fails_validation_with_every_error()
    {
        var invalid = ValidJson.Replace("\"Kind\": \"Trial\", \"TrialDays\": 14", "\"Kind\": \"Trial\"", StringComparison.Ordinal)
                               .Replace("\"price_pro_y\"", "\"price_pro_m\"", StringComparison.Ordinal);
        var services = Bind(invalid);

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PlanCatalogOptions>>().Value);

        Assert.Equal(2, exception.Failures.Count());
        Assert.Contains(exception.Failures, f => f.Contains("Billing:Catalog: Plans[1] 'TRIAL': the trial plan needs TrialDays", StringComparison.Ordinal));
        Assert.Contains(exception.Failures, f => f.Contains("price id 'price_pro_m' is already used", StringComparison.Ordinal));
    }

    [Fact]
    public void A_meter_left_out_or_listed_without_a_quota_fails_validation()
    {
        var invalid = ValidJson.Replace("{ \"Quota\": 10 }, \"tokens\": { \"Quota\": 0 }", "{ \"Quota\": 10 }, \"tokens\": { }", StringComparison.Ordinal)
                               .Replace("\"TrialDays\": 14, \"Meters\": { \"agent_runs\": { \"Quota\": 0 }, \"tokens\": { \"Quota\": 0 } } }", "\"TrialDays\": 14, \"Meters\": { \"agent_runs\": { \"Quota\": 0 } } }", StringComparison.Ordinal);
        Assert.NotEqual(ValidJson, invalid);
        var services = Bind(invalid);

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PlanCatalogOptions>>().Value);

        Assert.Equal(
            [
                "Billing:Catalog: Plans[0] 'FREE': Meters:tokens: Quota is required (0 = unlimited, said explicitly).",
                "Billing:Catalog: Plans[1] 'TRIAL': Meters must list every declared meter, with Quota 0 where it is unlimited; missing: tokens.",
            ],
            exception.Failures);
    }

    private static ServiceProvider Bind(string json)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddOptions<PlanCatalogOptions>().Bind(configuration.GetSection(PlanCatalogOptions.SectionName));
        services.AddSingleton<IValidateOptions<PlanCatalogOptions>, PlanCatalogOptionsValidator>();
        return services.BuildServiceProvider();
    }
}
