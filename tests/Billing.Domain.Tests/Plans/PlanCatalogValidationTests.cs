using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Plans;

public sealed class PlanCatalogValidationTests
{
    [Fact]
    public void The_reference_catalog_is_valid()
    {
        Assert.Empty(PlanCatalog.Validate(TestCatalog.Options()));
    }

    [Fact]
    public void No_plans_is_an_error()
    {
        AssertSingleError(new PlanCatalogOptions(), "no plan is configured");
    }

    [Fact]
    public void Plan_code_is_required_and_well_formed()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Code = null;
        AssertSingleError(options, "Plans[2]: Code is required");

        options = TestCatalog.Options();
        options.Plan("BASIC").Code = "1BASIC";
        AssertSingleError(options, "'1BASIC' is not a plan code");
    }

    [Fact]
    public void Plan_codes_are_unique_ignoring_case()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Code = "pro";
        AssertSingleError(options, "Code 'PRO' is also used by Plans[2]");
    }

    [Fact]
    public void Display_name_is_required()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").DisplayName = " ";
        AssertSingleError(options, "Plans[3] 'PRO': DisplayName is required");
    }

    [Fact]
    public void Display_name_is_at_most_100_characters()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").DisplayName = new string('P', 101);
        AssertSingleError(options, "Plans[3] 'PRO': DisplayName must be at most 100 characters.");

        options.Plan("PRO").DisplayName = new string('P', 100);
        Assert.Empty(PlanCatalog.Validate(options));
    }

    [Fact]
    public void An_empty_plan_entry_is_an_error_naming_its_index()
    {
        var options = TestCatalog.Options();
        options.Plans[2] = null!; // "Plans": [..., null] in the configuration
        AssertSingleError(options, "Plans[2]: the entry is empty.");
    }

    [Fact]
    public void A_kind_outside_the_enum_is_an_error()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Kind = (PlanKind)7;
        AssertSingleError(options, "Plans[2] 'BASIC': Kind must be Paid, Free or Trial.");
    }

    [Fact]
    public void An_enforcement_outside_the_enum_is_an_error()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Meters["agent_runs"].Enforcement = (MeterEnforcement)7;
        AssertSingleError(options, "Plans[2] 'BASIC': Meters:agent_runs: Enforcement must be HardLimit or Overage.");
    }

    [Fact]
    public void Exactly_one_free_plan()
    {
        var options = TestCatalog.Options();
        options.Plans.Remove(options.Plan("FREE"));
        AssertSingleError(options, "exactly one plan must have Kind = Free");

        options = TestCatalog.Options();
        options.Plans.Add(new PlanOptions { Code = "FREE2", DisplayName = "Free too", Kind = PlanKind.Free }.ListingEveryMeter(options));
        AssertSingleError(options, "exactly one plan must have Kind = Free (the default plan); found 2");
    }

    [Fact]
    public void At_most_one_trial_plan_and_none_is_fine()
    {
        var options = TestCatalog.Options();
        options.Plans.Add(new PlanOptions { Code = "TRIAL2", DisplayName = "Trial too", Kind = PlanKind.Trial, TrialDays = 7 }.ListingEveryMeter(options));
        AssertSingleError(options, "at most one plan may have Kind = Trial");

        options = TestCatalog.Options();
        options.Plans.Remove(options.Plan("TRIAL"));
        var catalog = PlanCatalog.Create(options);
        Assert.Null(catalog.TrialPlan);
    }

    [Fact]
    public void Paid_plans_need_a_price_id()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Prices.Month = null;
        options.Plan("BASIC").Prices.Year = null;
        AssertSingleError(options, "'BASIC': a paid plan needs at least one Stripe price id");
    }

    [Fact]
    public void Free_and_trial_plans_have_no_price_ids()
    {
        var options = TestCatalog.Options();
        options.Plan("FREE").Prices.Month = "price_free";
        AssertSingleError(options, "'FREE': the free plan must not have Stripe price ids");

        options = TestCatalog.Options();
        options.Plan("TRIAL").Prices.Year = "price_trial";
        AssertSingleError(options, "'TRIAL': the trial plan is granted by the app, not sold");
    }

    [Theory]
    [InlineData("TRIAL", 0, "the trial plan needs TrialDays between 1 and 730")]
    [InlineData("TRIAL", 731, "the trial plan needs TrialDays between 1 and 730")]
    [InlineData("PRO", -1, "TrialDays (the Checkout trial) must be between 0 and 730")]
    [InlineData("FREE", 3, "the free plan has no trial")]
    public void Trial_lengths_are_checked(string plan, int trialDays, string expected)
    {
        var options = TestCatalog.Options();
        options.Plan(plan).TrialDays = trialDays;
        AssertSingleError(options, expected);
    }

    [Fact]
    public void Price_ids_are_unique_across_the_catalog()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Prices.Year = TestCatalog.BasicMonthly;
        AssertSingleError(options, $"price id '{TestCatalog.BasicMonthly}' is already used by Plans[2] 'BASIC' Prices:Month");

        options = TestCatalog.Options();
        options.Plan("BASIC").Prices.Year = TestCatalog.BasicMonthly;
        AssertSingleError(options, "price ids must be unique across the catalog");
    }

    [Fact]
    public void Price_ids_must_look_like_ids()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Prices.Year = "price basic";
        AssertSingleError(options, "'price basic' is not a Stripe price id");
    }

    [Fact]
    public void Every_plan_lists_every_declared_meter_so_none_is_unlimited_by_omission()
    {
        var options = TestCatalog.Options();
        options.Plan("FREE").Meters.Remove("api_calls");
        AssertSingleError(options, "Plans[0] 'FREE': Meters must list every declared meter, with Quota 0 where it is unlimited; missing: api_calls.");

        options = TestCatalog.Options();
        options.Meters.Add("scrapes"); // a meter added to the catalog, no plan updated
        var errors = PlanCatalog.Validate(options);
        Assert.Equal(options.Plans.Count, errors.Count);
        Assert.All(errors, e => Assert.EndsWith("missing: scrapes.", e, StringComparison.Ordinal));

        options = TestCatalog.Options();
        options.Plan("BASIC").Meters.Remove("projects");
        AssertSingleError(options, "Plans[2] 'BASIC': Meters must list every declared meter, with Quota 0 where it is unlimited; missing: projects.");
    }

    [Fact]
    public void A_listed_meter_needs_its_quota_said()
    {
        var options = TestCatalog.Options();
        options.Plan("FREE").Meters["agent_runs"] = new MeterOptions { Enforcement = MeterEnforcement.HardLimit };
        AssertSingleError(options, "Plans[0] 'FREE': Meters:agent_runs: Quota is required (0 = unlimited, said explicitly).");

        options = TestCatalog.Options();
        options.Plan("FREE").Meters["agent_runs"] = null!;
        AssertSingleError(options, "Plans[0] 'FREE': Meters:agent_runs: Quota is required");
    }

    [Fact]
    public void Meters_must_be_declared_and_well_named()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Meters["agent_run"] = new MeterOptions { Quota = 5 };
        AssertSingleError(options, "Meters:agent_run: meter 'agent_run' is not declared in Meters or AllocationMeters (declared: agent_runs, tokens, api_calls, projects)");

        options = TestCatalog.Options();
        options.Plan("BASIC").Meters["Agent-Runs"] = new MeterOptions { Quota = 5 };
        AssertSingleError(options, "'Agent-Runs' is not a meter name");

        options = TestCatalog.Options();
        options.Meters.Add("tokens");
        AssertSingleError(options, "Meters[3]: meter 'tokens' is declared twice");
    }

    [Fact]
    public void Allocation_meters_are_well_named_and_declared_once()
    {
        var options = TestCatalog.Options();
        options.AllocationMeters.Add("Seats");
        AssertSingleError(options, "AllocationMeters[1]: 'Seats' is not a meter name");

        options = TestCatalog.Options();
        options.AllocationMeters.Add("projects");
        AssertSingleError(options, "AllocationMeters[1]: meter 'projects' is declared twice");
    }

    [Fact]
    public void A_meter_is_either_consumption_or_allocation()
    {
        var options = TestCatalog.Options();
        options.AllocationMeters.Add("tokens");
        AssertSingleError(options, "AllocationMeters[1]: meter 'tokens' is already declared in Meters; a meter is either a consumption meter (Meters) or an allocation meter (AllocationMeters), not both");

        options = TestCatalog.Options();
        options.Meters.Add("projects");
        AssertSingleError(options, "AllocationMeters[0]: meter 'projects' is already declared in Meters");
    }

    [Fact]
    public void Plans_may_only_mention_declared_allocation_meters()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["project"] = new MeterOptions { Quota = 20 };
        AssertSingleError(options, "Plans[3] 'PRO': Meters:project: meter 'project' is not declared in Meters or AllocationMeters");
    }

    [Fact]
    public void Allocation_meters_cannot_bill_overage()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["projects"] = new MeterOptions
        {
            Quota = 20,
            Enforcement = MeterEnforcement.Overage,
            Overage = new OveragePriceOptions { UnitAmount = 500 },
        };
        AssertSingleError(options, "Plans[3] 'PRO': Meters:projects: 'projects' is an allocation meter (units are held, never reset per period), so its Enforcement must be HardLimit");
    }

    [Fact]
    public void Allocation_quotas_are_checked_like_consumption_quotas()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Meters["projects"].Quota = -1;
        AssertSingleError(options, "Plans[2] 'BASIC': Meters:projects: Quota must be from 0 (unlimited) to 9007199254740991");

        options = TestCatalog.Options();
        options.Plan("BASIC").Meters["projects"].Overage = new OveragePriceOptions { UnitAmount = 1 };
        AssertSingleError(options, "Plans[2] 'BASIC': Meters:projects: Overage pricing is only allowed with Enforcement = Overage");
    }

    [Fact]
    public void Declared_features_are_well_named_and_unique()
    {
        var options = TestCatalog.Options();
        options.Features.Add("SSO");
        AssertSingleError(options, "Features[2]: 'SSO' is not a feature name");

        options = TestCatalog.Options();
        options.Features.Add("sso");
        AssertSingleError(options, "Features[2]: feature 'sso' is declared twice");
    }

    [Fact]
    public void Plan_features_must_be_declared()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Features.Add("ssso");
        AssertSingleError(options, "Plans[2] 'BASIC': Features[1]: feature 'ssso' is not declared in Features (declared: sso, priority_support)");

        options = TestCatalog.Options();
        options.Plan("BASIC").Features.Add("Priority-Support");
        AssertSingleError(options, "Plans[2] 'BASIC': Features[1]: 'Priority-Support' is not a feature name");

        options = TestCatalog.Options();
        options.Features.Clear();
        var errors = PlanCatalog.Validate(options);
        Assert.Equal(3, errors.Count); // BASIC's priority_support, PRO's sso and priority_support
        Assert.All(errors, e => Assert.Contains("is not declared in Features (declared: none)", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_features_are_listed_once()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Features.Add("sso");
        AssertSingleError(options, "Plans[3] 'PRO': Features[2]: feature 'sso' is listed twice");
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(9_007_199_254_740_992L)] // 2^53: the store's script would round the limit, and no counter reaches it
    [InlineData(long.MaxValue)]
    public void Quota_must_be_within_what_a_counter_holds(long quota)
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Meters["agent_runs"].Quota = quota;
        AssertSingleError(options, $"Plans[2] 'BASIC': Meters:agent_runs: Quota must be from 0 (unlimited) to 9007199254740991 (2^53 - 1, the most a counter holds); got {quota}.");

        options = TestCatalog.Options();
        options.Plan("PRO").Meters["agent_runs"].Quota = quota; // an overage meter's included units likewise
        Assert.Contains(PlanCatalog.Validate(options), e => e.Contains("Meters:agent_runs: Quota must be from 0 (unlimited) to 9007199254740991", StringComparison.Ordinal));
    }

    [Fact]
    public void The_largest_quota_a_counter_holds_is_accepted()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Meters["agent_runs"].Quota = UsageCounters.MaxCount;
        Assert.Empty(PlanCatalog.Validate(options));
    }

    [Fact]
    public void Hard_limits_take_no_overage_pricing()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Meters["agent_runs"].Overage = new OveragePriceOptions { UnitAmount = 1 };
        AssertSingleError(options, "Overage pricing is only allowed with Enforcement = Overage");
    }

    [Fact]
    public void Overage_needs_a_paid_plan()
    {
        var options = TestCatalog.Options();
        var free = options.Plan("FREE");
        free.Currency = "usd";
        free.Meters["agent_runs"] = new MeterOptions { Quota = 10, Enforcement = MeterEnforcement.Overage, Overage = new OveragePriceOptions { UnitAmount = 1 } };
        AssertSingleError(options, "only paid plans can bill overage");
    }

    [Fact]
    public void Overage_needs_included_quota_currency_and_a_price()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["agent_runs"].Quota = 0;
        AssertSingleError(options, "an overage meter needs Quota > 0");

        options = TestCatalog.Options();
        options.Plan("PRO").Currency = null;
        var errors = PlanCatalog.Validate(options);
        Assert.Equal(2, errors.Count); // both overage meters of PRO
        Assert.All(errors, e => Assert.Contains("overage pricing needs the plan's Currency", e, StringComparison.Ordinal));

        options = TestCatalog.Options();
        options.Plan("PRO").Meters["agent_runs"].Overage = null;
        AssertSingleError(options, "Enforcement = Overage needs Overage pricing");
    }

    [Fact]
    public void Overage_price_is_per_unit_or_tiers_not_both()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["tokens"].Overage!.UnitAmount = 3;
        AssertSingleError(options, "Overage needs either UnitAmount or Tiers (exactly one of them)");

        options = TestCatalog.Options();
        options.Plan("PRO").Meters["agent_runs"].Overage!.UnitAmount = null;
        AssertSingleError(options, "Overage needs either UnitAmount or Tiers");

        options = TestCatalog.Options();
        options.Plan("PRO").Meters["agent_runs"].Overage!.UnitAmount = -5;
        AssertSingleError(options, "Overage:UnitAmount must not be negative");
    }

    [Fact]
    public void Currency_must_be_lower_case_iso()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Currency = "USD";
        AssertSingleError(options, "'USD' is not a currency");
    }

    [Fact]
    public void Tiers_must_ascend()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[1].UpTo = 1_000;
        AssertSingleError(options, "Overage:Tiers[1]: UpTo must be greater than the previous tier's (1000)");
    }

    [Fact]
    public void Only_the_last_tier_is_open_ended_and_it_must_be()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[2].UpTo = 50_000;
        AssertSingleError(options, "Overage:Tiers[2]: the last tier must be open-ended");

        options = TestCatalog.Options();
        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[0].UpTo = null;
        AssertSingleError(options, "Overage:Tiers[0]: only the last tier may be open-ended");
    }

    [Fact]
    public void An_empty_tier_entry_is_an_error_naming_its_index()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[1] = null!;
        AssertSingleError(options, "Plans[3] 'PRO': Meters:tokens: Overage:Tiers[1]: the entry is empty.");
    }

    [Fact]
    public void Tier_amounts_must_not_be_negative()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[0].FlatAmount = -1;
        AssertSingleError(options, "Overage:Tiers[0]: UnitAmount and FlatAmount must not be negative");
    }

    [Fact]
    public void Overage_amounts_are_whole_amounts_Stripe_can_charge_in_the_plan_currency()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Currency = "isk";
        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[0].UnitAmount = 200;
        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[1].UnitAmount = 100;
        options.Plan("PRO").Meters["agent_runs"].Overage!.UnitAmount = 50; // half a króna a run: 3 runs would be an invoice line of 1.50 ISK

        AssertSingleError(options, "Plans[3] 'PRO': Meters:agent_runs: Overage:UnitAmount: 50 is not an amount of isk Stripe can charge: it must be a multiple of 100");
    }

    [Fact]
    public void Tier_amounts_are_whole_amounts_Stripe_can_charge_in_the_plan_currency()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Currency = "kwd";
        options.Plan("PRO").Meters["agent_runs"].Overage!.UnitAmount = 30;
        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[0].UnitAmount = 20;
        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[1].UnitAmount = 10;
        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[1].FlatAmount = 105;

        AssertSingleError(options, "Plans[3] 'PRO': Meters:tokens: Overage:Tiers[1]: FlatAmount: 105 is not an amount of kwd Stripe can charge: it must be a multiple of 10");

        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[1].FlatAmount = 100;
        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[2].UnitAmount = 5;
        AssertSingleError(options, "Plans[3] 'PRO': Meters:tokens: Overage:Tiers[2]: UnitAmount: 5 is not an amount of kwd");

        options.Plan("PRO").Meters["tokens"].Overage!.Tiers[2].UnitAmount = 0;
        Assert.Empty(PlanCatalog.Validate(options));
    }

    [Fact]
    public void All_errors_are_reported_together()
    {
        var options = TestCatalog.Options();
        options.Plan("BASIC").Prices.Month = null;
        options.Plan("BASIC").Prices.Year = null;
        options.Plan("PRO").Currency = "Dollars";
        options.Plan("TRIAL").TrialDays = 0;
        options.Plans.Add(new PlanOptions { Code = "FREE", DisplayName = "Again", Kind = PlanKind.Free }.ListingEveryMeter(options));
        options.AllocationMeters.Add("tokens");
        options.Plan("PRO").Features.Add("sso");

        var exception = Assert.Throws<PlanCatalogException>(() => PlanCatalog.Create(options));

        Assert.Contains(exception.Errors, e => e.Contains("'BASIC': a paid plan needs at least one Stripe price id", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Contains("'Dollars' is not a currency", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Contains("'TRIAL': the trial plan needs TrialDays", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Contains("Code 'FREE' is also used by Plans[0]", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Contains("exactly one plan must have Kind = Free", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Contains("AllocationMeters[1]: meter 'tokens' is already declared in Meters", StringComparison.Ordinal));
        Assert.Contains(exception.Errors, e => e.Contains("'PRO': Features[2]: feature 'sso' is listed twice", StringComparison.Ordinal));
        Assert.Equal(7, exception.Errors.Count);
        foreach (var error in exception.Errors)
        {
            Assert.Contains(error, exception.Message, StringComparison.Ordinal);
        }
    }

    private static void AssertSingleError(PlanCatalogOptions options, string expected)
    {
        var errors = PlanCatalog.Validate(options);
        var error = Assert.Single(errors);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(PlanCatalog.TryCreate(options, out var catalog, out _));
        Assert.Null(catalog);
    }
}
