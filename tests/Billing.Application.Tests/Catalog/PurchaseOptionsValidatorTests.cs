using Billing.Application.Catalog;
using Billing.TestSupport;
using Microsoft.Extensions.Options;

namespace Billing.Application.Tests.Catalog;

public sealed class PurchaseOptionsValidatorTests
{
    private readonly PurchaseOptionsValidator _validator = new(Options.Create(TestCatalog.Options()));

    [Fact]
    public void A_valid_configuration_builds_a_catalog_with_the_meter_kinds_of_the_plan_catalog()
    {
        var options = Valid();

        Assert.True(_validator.Validate(null, options).Succeeded);
        var catalog = PurchaseCatalog.Create(options, TestCatalog.Options());
        Assert.Equal(1_000, catalog.FindPack("credits_10")!.Credit.MinorUnits);
        Assert.Equal(Domain.Plans.MeterKind.Allocation, catalog.FindAddOn("PROJECTS_5")!.MeterKind);
        Assert.Null(catalog.FindPack("PROJECTS_5"));
    }

    [Fact]
    public void A_pack_sold_in_one_currency_grants_its_credit_in_the_credit_currency()
    {
        var options = Valid();
        options.CreditPacks.Add(new CreditPackOptions { Code = "CREDITS_EUR_USD", DisplayName = "EUR for USD", PriceId = "price_credits_eur_usd", Amount = 900, Currency = "eur", Credit = 1_000, CreditCurrency = "usd" });

        var pack = PurchaseCatalog.Create(options, TestCatalog.Options()).FindPack("CREDITS_EUR_USD")!;

        Assert.Equal((900L, "eur", 1_000L, "usd"), (pack.Price.MinorUnits, pack.Price.Currency.Code, pack.Credit.MinorUnits, pack.Credit.Currency.Code));
    }

    [Fact]
    public void The_most_credit_a_book_holds_and_the_most_units_a_counter_holds_are_accepted()
    {
        var options = Valid();
        options.CreditPacks[0].Credit = Domain.Credits.CreditOperation.MaxAmount;
        options.AddOns[0].Units = Domain.Metering.UsageCounters.MaxCount;

        Assert.True(_validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_naming_the_setting()
    {
        var options = Valid();
        options.CreditPacks.Add(new CreditPackOptions { Code = "projects_5", DisplayName = "", PriceId = "prod_x", Amount = 0, Currency = "USD", Credit = 0, ExpiresAfter = TimeSpan.Zero });
        options.AddOns.Add(new AddOnOptions { Code = "SEATS", DisplayName = "Seats", PriceId = "price_credits_10", Amount = 100, Currency = "usd", Meter = "seats", Units = 0 });

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        var text = result.FailureMessage;
        foreach (var expected in new[]
                 {
                     "AddOns:0:Code 'PROJECTS_5' is used twice", "CreditPacks:1:DisplayName", "CreditPacks:1:PriceId 'prod_x'",
                     "CreditPacks:1:Amount", "CreditPacks:1:Currency", "CreditPacks:1:Credit", "CreditPacks:1:ExpiresAfter",
                     "AddOns:1:PriceId 'price_credits_10' is sold twice", "AddOns:1:Meter 'seats'", "AddOns:1:Units",
                 })
        {
            Assert.Contains("Billing:Purchases:" + expected, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_pack_granting_more_than_a_credit_book_holds_exactly_is_refused()
    {
        var options = Valid();
        options.CreditPacks[0].Credit = Domain.Credits.CreditOperation.MaxAmount + 1;

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Billing:Purchases:CreditPacks:0:Credit must be a positive amount of minor units, at most 1000000000000", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void An_add_on_adding_more_units_than_a_counter_holds_is_refused()
    {
        var options = Valid();
        options.AddOns[0].Units = Domain.Metering.UsageCounters.MaxCount + 1;

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Billing:Purchases:AddOns:0:Units must be from 1 to 9007199254740991", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Prices_and_credit_are_whole_amounts_Stripe_can_charge_in_their_currency()
    {
        var options = Valid();
        options.CreditPacks[0].Currency = "isk";
        options.CreditPacks[0].Amount = 150_000; // 1,500 ISK
        options.CreditPacks[0].Credit = 150_050; // and half a króna, which no invoice could take exactly
        options.CreditPacks.Add(new CreditPackOptions { Code = "CREDITS_KWD", DisplayName = "KWD", PriceId = "price_credits_kwd", Amount = 5_125, Currency = "kwd", Credit = 5_000, CreditCurrency = "usd" });
        options.AddOns[0].Currency = "ugx";
        options.AddOns[0].Amount = 1_550;

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(
            [
                "Billing:Purchases:CreditPacks:0:Credit: 150050 is not an amount of isk Stripe can charge: it must be a multiple of 100 (Stripe writes isk with two decimals but charges whole units only: 500 is 5 isk).",
                "Billing:Purchases:CreditPacks:1:Amount: 5125 is not an amount of kwd Stripe can charge: it must be a multiple of 10 (Stripe writes kwd with three decimals but charges the last one 0 only: 5120 is 5.120 kwd).",
                "Billing:Purchases:AddOns:0:Amount: 1550 is not an amount of ugx Stripe can charge: it must be a multiple of 100 (Stripe writes ugx with two decimals but charges whole units only: 500 is 5 ugx).",
            ],
            result.Failures!);
    }

    [Fact]
    public void A_pack_whose_credit_no_usage_invoice_could_spend_is_refused()
    {
        // The test catalog invoices usage in usd only.
        var options = Valid();
        options.CreditPacks[0].Currency = "eur";
        options.CreditPacks.Add(new CreditPackOptions { Code = "CREDITS_GBP", DisplayName = "GBP", PriceId = "price_credits_gbp", Amount = 800, Currency = "gbp", Credit = 1_000, CreditCurrency = "jpy" });
        options.CreditPacks.Add(new CreditPackOptions { Code = "CREDITS_EUR_USD", DisplayName = "EUR for USD", PriceId = "price_credits_eur_usd", Amount = 900, Currency = "eur", Credit = 1_000, CreditCurrency = "usd" });

        var result = _validator.Validate(null, options);

        Assert.Equal(
            [
                "Billing:Purchases:CreditPacks:0:Currency: Credit is spent on usage invoices, which are in usd; credit in 'eur' could never be spent.",
                "Billing:Purchases:CreditPacks:1:CreditCurrency: Credit is spent on usage invoices, which are in usd; credit in 'jpy' could never be spent.",
            ],
            result.Failures!);
    }

    [Fact]
    public void A_credit_currency_or_a_code_that_does_not_parse_is_refused_and_the_catalog_is_not_built()
    {
        var options = Valid();
        options.CreditPacks[0].CreditCurrency = "US dollars";
        options.AddOns[0].Code = "5 projects";

        var result = _validator.Validate(null, options);
        var thrown = Assert.Throws<Domain.Plans.PlanCatalogException>(() => PurchaseCatalog.Create(options, TestCatalog.Options()));

        Assert.Equal(
            [
                "Billing:Purchases:CreditPacks:0:CreditCurrency: " + Domain.Pricing.Currency.InvalidMessage("US dollars"),
                "Billing:Purchases:AddOns:0:Code: " + Domain.Plans.PlanCode.InvalidMessage("5 projects"),
            ],
            result.Failures!);
        Assert.Equal(2, thrown.Errors.Count);
    }

    [Fact]
    public void A_purchase_at_a_plans_subscription_price_is_refused_naming_the_plan()
    {
        // Stripe refuses a recurring price in a payment-mode Checkout (and a one-time one in a subscription): one of the
        // two would fail on every request.
        var options = Valid();
        options.CreditPacks[0].PriceId = TestCatalog.ProMonthly;
        options.AddOns[0].PriceId = TestCatalog.BasicYearly;

        var result = _validator.Validate(null, options);

        Assert.Equal(
            [
                $"Billing:Purchases:CreditPacks:0:PriceId '{TestCatalog.ProMonthly}' is the subscription price of plan PRO in Billing:Catalog; a purchase needs a one-time price of its own.",
                $"Billing:Purchases:AddOns:0:PriceId '{TestCatalog.BasicYearly}' is the subscription price of plan BASIC in Billing:Catalog; a purchase needs a one-time price of its own.",
            ],
            result.Failures!);
    }

    private static PurchaseOptions Valid()
    {
        var options = new PurchaseOptions();
        options.CreditPacks.Add(new CreditPackOptions { Code = "CREDITS_10", DisplayName = "$10", PriceId = "price_credits_10", Amount = 1_000, Currency = "usd", Credit = 1_000 });
        options.AddOns.Add(new AddOnOptions { Code = "PROJECTS_5", DisplayName = "5 projects", PriceId = "price_projects_5", Amount = 1_500, Currency = "usd", Meter = "projects", Units = 5, ExpiresAfter = TimeSpan.FromDays(30) });
        return options;
    }
}
