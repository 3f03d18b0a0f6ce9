using Billing.Domain.Accounts;
using Billing.Domain.Invoicing;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.Domain.Pricing;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Invoicing;

/// <summary>
/// Pricing a closed period with <see cref="TestCatalog"/>. Every expected amount is worked out by hand in the test from
/// the catalog's prices (PRO: agent_runs 1,000 included then 3 per run; tokens 100,000 included then graduated: the
/// first 1,000 at 2, up to 10,000 at 1 plus 100 flat, beyond at 0 plus 500 flat), never with the code under test.
/// </summary>
public sealed class PeriodChargesTests
{
    private static readonly AccountId Account = AccountId.Parse("user-charges");
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");
    private static readonly MeterName Tokens = MeterName.Parse("tokens");
    private static readonly MeterName ApiCalls = MeterName.Parse("api_calls");
    private static readonly Currency Usd = Currency.Parse("usd");
    private static readonly PlanCode Pro = PlanCode.Parse("PRO");
    private static readonly PlanCode Basic = PlanCode.Parse("BASIC");
    private static readonly PlanCode Free = PlanCode.Parse("FREE");

    /// <summary>November 2026 (calendar month, UTC).</summary>
    private static readonly UsagePeriod November = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero));

    private static readonly PlanCatalog Catalog = TestCatalog.Create();

    [Fact]
    public void Per_unit_overage_bills_the_units_beyond_the_included_ones()
    {
        var charges = Price(Pro, (AgentRuns, 1_250));

        // 1,250 used - 1,000 included = 250 runs x 3 = 750
        var line = Assert.Single(charges.Lines);
        Assert.Equal(AgentRuns, line.Meter);
        Assert.Equal(1_250, line.Used);
        Assert.Equal(1_000, line.Included);
        Assert.Equal(250, line.OverageUnits);
        Assert.Equal(new Money(750, Usd), line.Amount);
        Assert.Equal(new Money(750, Usd), charges.Total);
        Assert.False(charges.IsZero);
        Assert.Equal(Pro, charges.Plan);
        Assert.Null(charges.Plans); // one plan all period
        Assert.Null(line.Plans);
        Assert.Equal(Usd, charges.Currency);
        Assert.Equal(Account, charges.AccountId);
        Assert.Equal(November, charges.Period);
    }

    [Theory]
    [InlineData(100_001, 1, 2)] // 1 x 2
    [InlineData(100_500, 500, 1_000)] // 500 x 2
    [InlineData(101_000, 1_000, 2_000)] // 1,000 x 2: the first tier full, nothing of the second
    [InlineData(101_001, 1_001, 2_101)] // 1,000 x 2 + (1 x 1 + 100)
    [InlineData(110_000, 10_000, 11_100)] // 1,000 x 2 + (9,000 x 1 + 100)
    [InlineData(110_001, 10_001, 11_600)] // 1,000 x 2 + (9,000 x 1 + 100) + (1 x 0 + 500)
    [InlineData(112_000, 12_000, 11_600)] // 1,000 x 2 + (9,000 x 1 + 100) + (2,000 x 0 + 500)
    [InlineData(5_100_000, 5_000_000, 11_600)] // the last tier is free beyond its flat amount
    public void Graduated_overage_prices_each_unit_in_its_tier_plus_each_reached_tiers_flat_amount(long used, long overage, long expected)
    {
        var charges = Price(Pro, (Tokens, used));

        var line = Assert.Single(charges.Lines);
        Assert.Equal(Tokens, line.Meter);
        Assert.Equal(used, line.Used);
        Assert.Equal(100_000, line.Included);
        Assert.Equal(overage, line.OverageUnits);
        Assert.Equal(new Money(expected, Usd), line.Amount);
    }

    [Fact]
    public void Both_overage_meters_give_one_line_each_in_catalog_order_and_the_total_adds_them()
    {
        var charges = Price(Pro, (Tokens, 112_000), (AgentRuns, 1_250), (ApiCalls, 9_999_999));

        Assert.Equal([AgentRuns, Tokens], charges.Lines.Select(l => l.Meter));
        Assert.Equal([750L, 11_600L], charges.Lines.Select(l => l.Amount.MinorUnits));

        // 750 + 11,600
        Assert.Equal(new Money(12_350, Usd), charges.Total);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(999L, 99_999L)]
    [InlineData(1_000L, 100_000L)]
    public void Usage_up_to_the_included_units_bills_nothing(long agentRuns, long tokens)
    {
        var charges = Price(Pro, (AgentRuns, agentRuns), (Tokens, tokens));

        Assert.Empty(charges.Lines);
        Assert.True(charges.IsZero);
        Assert.Equal(Money.Zero(Usd), charges.Total);
    }

    [Fact]
    public void No_counters_at_all_bill_nothing()
    {
        var charges = Price(Pro);

        Assert.True(charges.IsZero);
        Assert.Equal(Money.Zero(Usd), charges.Total);
    }

    [Fact]
    public void Hard_limited_meters_are_never_billed_even_beyond_their_quota()
    {
        // BASIC limits agent_runs to 500 (refused beyond); FREE limits tokens to 1,000
        Assert.True(Price(Basic, (AgentRuns, 5_000)).IsZero);
        Assert.True(Price(Free, (AgentRuns, 5_000), (Tokens, 50_000)).IsZero);
    }

    [Fact]
    public void Unlimited_meters_are_never_billed()
    {
        // PRO: api_calls is unlimited (Quota 0); BASIC does not list tokens at all
        Assert.True(Price(Pro, (ApiCalls, 50_000_000)).IsZero);
        Assert.True(Price(Basic, (Tokens, 50_000_000)).IsZero);
    }

    [Fact]
    public void The_included_units_recorded_with_the_counters_win_over_the_plans_quota()
    {
        // The plan included 1,200 runs and 110,000 tokens when the usage was counted (the catalog says 1,000 and 100,000 now)
        var counters = Counters(Pro, (AgentRuns, 1_250), (Tokens, 112_000)) with
        {
            Included = new Dictionary<MeterName, long> { [AgentRuns] = 1_200, [Tokens] = 110_000 },
        };

        var charges = PeriodCharges.Price(counters, Catalog);

        // agent_runs: 1,250 - 1,200 = 50 x 3 = 150; tokens: 112,000 - 110,000 = 2,000: 1,000 x 2 + (1,000 x 1 + 100) = 3,100
        Assert.Collection(
            charges.Lines,
            l => Assert.Equal((AgentRuns, 1_250L, 1_200L, 50L, 150L), (l.Meter, l.Used, l.Included, l.OverageUnits, l.Amount.MinorUnits)),
            l => Assert.Equal((Tokens, 112_000L, 110_000L, 2_000L, 3_100L), (l.Meter, l.Used, l.Included, l.OverageUnits, l.Amount.MinorUnits)));
        Assert.Equal(3_250, charges.Total.MinorUnits);
    }

    [Fact]
    public void Recorded_included_units_above_the_usage_bill_nothing_for_that_meter()
    {
        var counters = Counters(Pro, (AgentRuns, 1_250), (Tokens, 112_000)) with
        {
            Included = new Dictionary<MeterName, long> { [AgentRuns] = 2_000 },
        };

        var line = Assert.Single(PeriodCharges.Price(counters, Catalog).Lines);

        // tokens fall back to the plan's 100,000: 11,600 as above
        Assert.Equal((Tokens, 11_600L), (line.Meter, line.Amount.MinorUnits));
    }

    [Fact]
    public void Without_a_recorded_plan_the_free_plan_applies_and_bills_nothing()
    {
        var charges = PeriodCharges.Price(Counters(plan: null, (AgentRuns, 1_250), (Tokens, 112_000)), Catalog);

        Assert.Equal(Free, charges.Plan);
        Assert.True(charges.IsZero);
        Assert.Empty(charges.Lines);
        Assert.Equal(Money.Zero(Usd), charges.Total); // the free plan has no currency: usd
    }

    [Fact]
    public void A_plan_no_longer_in_the_catalog_prices_as_the_free_plan()
    {
        var charges = PeriodCharges.Price(Counters(PlanCode.Parse("LEGACY"), (AgentRuns, 1_250)), Catalog);

        Assert.Equal(Free, charges.Plan);
        Assert.True(charges.IsZero);
    }

    [Fact]
    public void Amounts_are_in_the_plans_currency()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Currency = "eur";
        var charges = PeriodCharges.Price(Counters(Pro, (AgentRuns, 1_001)), PlanCatalog.Create(options));

        Assert.Equal(Currency.Parse("eur"), charges.Currency);
        Assert.Equal(new Money(3, Currency.Parse("eur")), Assert.Single(charges.Lines).Amount);
    }

    [Fact]
    public void A_period_without_charges_is_in_the_plans_currency()
    {
        // Nothing beyond PRO's included units: no line carries a currency, the plan's is the one shown (the upcoming invoice's)
        var options = TestCatalog.Options();
        options.Plan("PRO").Currency = "eur";
        var charges = PeriodCharges.Price(Counters(Pro, (AgentRuns, 999)), PlanCatalog.Create(options));

        Assert.True(charges.IsZero);
        Assert.Equal(Currency.Parse("eur"), charges.Currency);
        Assert.Equal(Money.Zero(Currency.Parse("eur")), charges.Total);
    }

    [Fact]
    public void Describe_names_the_meter_the_units_and_the_period_with_its_last_day()
    {
        var charges = Price(Pro, (AgentRuns, 1_250), (Tokens, 112_000));

        // November ends at 1 Dec 00:00 (exclusive): its last day is 30 Nov
        Assert.Equal("agent_runs: 250 beyond the 1,000 included (1,250 used), 1 Nov 2026 – 30 Nov 2026", charges.Describe(charges.Lines[0]));
        Assert.Equal("tokens: 12,000 beyond the 100,000 included (112,000 used), 1 Nov 2026 – 30 Nov 2026", charges.Describe(charges.Lines[1]));
        Assert.Throws<ArgumentNullException>(() => charges.Describe(null!));
    }

    [Fact]
    public void Describe_shows_a_subscription_periods_dates()
    {
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2026, 11, 15, 10, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 15, 10, 30, 0, TimeSpan.Zero));
        var charges = PeriodCharges.Price(Counters(Pro, (AgentRuns, 1_001)) with { Period = period }, Catalog);

        Assert.Equal("agent_runs: 1 beyond the 1,000 included (1,001 used), 15 Nov 2026 – 15 Dec 2026", charges.Describe(charges.Lines[0]));
    }

    [Fact]
    public void A_charge_that_does_not_fit_in_64_bits_throws_instead_of_wrapping()
    {
        // (long.MaxValue - 1,000) x 3 overflows
        Assert.Throws<OverflowException>(() => Price(Pro, (AgentRuns, long.MaxValue)));
    }

    [Fact]
    public void A_total_that_does_not_fit_in_64_bits_throws_instead_of_wrapping()
    {
        // Both meters priced per unit at 3: each line fits, their sum does not
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["tokens"] = new MeterOptions
        {
            Quota = 1,
            Enforcement = MeterEnforcement.Overage,
            Overage = new OveragePriceOptions { UnitAmount = 3 },
        };
        var third = (long.MaxValue / 3) + 1; // units whose price is just under long.MaxValue
        var charges = PeriodCharges.Price(Counters(Pro, (AgentRuns, third), (Tokens, third)), PlanCatalog.Create(options));

        Assert.Equal(2, charges.Lines.Count);
        Assert.Throws<OverflowException>(() => charges.Total);
    }

    /// <summary>BASIC made an overage plan for these tests: 500 agent runs included, then 5 per run (PRO: 1,000, then 3).</summary>
    private static readonly PlanCatalog TwoPaidPlans = CatalogWithBasicOverage();

    [Fact]
    public void An_upgrade_during_the_period_keeps_the_overage_run_up_on_the_earlier_plan()
    {
        // 700 runs on BASIC (200 beyond its 500 x 5 = 1,000), then PRO up to 900: within PRO's 1,000, nothing more.
        var counters = Counters(Basic, (AgentRuns, 700)).UnderPlan(Pro) with { Counters = new Dictionary<MeterName, long> { [AgentRuns] = 900 } };

        var charges = PeriodCharges.Price(counters, TwoPaidPlans);

        var line = Assert.Single(charges.Lines);
        Assert.Equal((900L, 200L, 1_000L, "BASIC then PRO"), (line.Used, line.OverageUnits, line.Amount.MinorUnits, line.Plans));
        Assert.Equal((Pro, "BASIC then PRO"), (charges.Plan, charges.Plans));
        Assert.Equal("agent_runs: 200 beyond the included amounts of BASIC then PRO (900 used), 1 Nov 2026 – 30 Nov 2026", charges.Describe(line));
    }

    [Fact]
    public void A_change_to_a_plan_in_another_currency_bills_each_plans_overage_in_its_own_currency_when_only_one_has_any()
    {
        // 700 runs on BASIC in euros (200 beyond its 500 x 5 = 1,000), then PRO in dollars up to 900: nothing beyond PRO's 1,000.
        var catalog = CatalogWithBasicOverage("eur");
        var counters = Counters(Basic, (AgentRuns, 700)).UnderPlan(Pro) with { Counters = new Dictionary<MeterName, long> { [AgentRuns] = 900 } };

        var charges = PeriodCharges.Price(counters, catalog);

        Assert.Equal(new Money(1_000, Currency.Parse("eur")), Assert.Single(charges.Lines).Amount);
        Assert.Equal(Currency.Parse("eur"), charges.Currency);
    }

    [Fact]
    public void Charges_in_two_currencies_are_refused_rather_than_added_up_as_one()
    {
        // BASIC in euros bills 200 runs (1,000 EUR cents); PRO in dollars bills 1,000 tokens beyond 100,000 (2,000 USD cents).
        var catalog = CatalogWithBasicOverage("eur");
        var counters = Counters(Basic, (AgentRuns, 700)).UnderPlan(Pro) with { Counters = new Dictionary<MeterName, long> { [AgentRuns] = 700, [Tokens] = 101_000 } };

        var refused = Assert.Throws<CurrencyMismatchException>(() => PeriodCharges.Price(counters, catalog));

        Assert.Contains("eur and usd", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_earlier_plans_stretch_is_priced_against_the_included_units_recorded_with_it()
    {
        // BASIC included 600 runs when they were counted (its 500 and a 100-run add-on): 700 on BASIC bill 100 x 5 = 500,
        // not 200 x 5 against the catalog's 500; then PRO up to 900, within its 1,000.
        var onBasic = Counters(Basic, (AgentRuns, 700)) with { Included = new Dictionary<MeterName, long> { [AgentRuns] = 600 } };
        var counters = onBasic.UnderPlan(Pro) with { Counters = new Dictionary<MeterName, long> { [AgentRuns] = 900 } };

        var line = Assert.Single(PeriodCharges.Price(counters, TwoPaidPlans).Lines);

        Assert.Equal((100L, 500L), (line.OverageUnits, line.Amount.MinorUnits));
    }

    [Fact]
    public void A_live_view_prices_the_current_stretch_against_the_included_units_it_passes_not_those_last_recorded()
    {
        // The last count recorded 1,000 included; an add-on of 200 applies now: 1,250 used are 50 beyond, 50 x 3 = 150.
        var counters = Counters(Pro, (AgentRuns, 1_250)) with { Included = new Dictionary<MeterName, long> { [AgentRuns] = 1_000 } };

        var line = PeriodCharges.Charge(counters, AgentRuns, Catalog, Catalog.Find(Pro)!.PolicyFor(AgentRuns), 1_200);

        Assert.Equal((1_200L, 50L, 150L), (line?.Included, line?.OverageUnits, line?.Amount.MinorUnits));
    }

    [Fact]
    public void A_downgrade_bills_only_what_the_new_plan_counts_beyond_its_amount()
    {
        // 1,200 runs on PRO (200 x 3 = 600), then BASIC up to 1,300: the 100 counted on BASIC are beyond its 500 (x 5 =
        // 500); the 1,200 PRO counted are not billed again at BASIC's terms.
        var counters = Counters(Pro, (AgentRuns, 1_200)).UnderPlan(Basic) with { Counters = new Dictionary<MeterName, long> { [AgentRuns] = 1_300 } };

        var line = Assert.Single(PeriodCharges.Price(counters, TwoPaidPlans).Lines);

        Assert.Equal((1_300L, 300L, 1_100L), (line.Used, line.OverageUnits, line.Amount.MinorUnits));
    }

    [Fact]
    public void Back_on_a_plan_its_graduated_tiers_go_on_from_the_periods_position_and_no_flat_amount_is_billed_twice()
    {
        // PRO to 100,500 tokens: 500 beyond x 2 = 1,000. FREE (hard limit, never billed) to 100,600. PRO again to 101,100:
        // beyond positions 600..1,100 of PRO's tiers = (1,000 x 2 + 100 x 1 + 100 flat) - (600 x 2) = 1,000.
        var counters = Counters(Pro, (Tokens, 100_500)).UnderPlan(Free) with { Counters = new Dictionary<MeterName, long> { [Tokens] = 100_600 } };
        counters = counters.UnderPlan(Pro) with { Counters = new Dictionary<MeterName, long> { [Tokens] = 101_100 } };

        var line = Assert.Single(PeriodCharges.Price(counters, Catalog).Lines);

        Assert.Equal((1_000L, 2_000L, "PRO then FREE then PRO"), (line.OverageUnits, line.Amount.MinorUnits, line.Plans));
    }

    [Fact]
    public void Back_on_a_plan_a_stretch_starting_inside_the_first_tier_is_priced_from_there_into_the_next()
    {
        // PRO to 100,500 tokens: 500 beyond x 2 = 1,000. FREE (tokens untouched) to 100,900. PRO again to 101,050: positions
        // 900..1,050 of PRO's tiers = 100 x 2 + (50 x 1 + 100 flat) = 350, not the first 150 positions' 300.
        var counters = Counters(Pro, (Tokens, 100_500)).UnderPlan(Free) with { Counters = new Dictionary<MeterName, long> { [Tokens] = 100_900 } };
        counters = counters.UnderPlan(Pro) with { Counters = new Dictionary<MeterName, long> { [Tokens] = 101_050 } };

        var line = Assert.Single(PeriodCharges.Price(counters, Catalog).Lines);

        Assert.Equal((650L, 1_350L), (line.OverageUnits, line.Amount.MinorUnits));
    }

    [Fact]
    public void A_line_names_only_the_plans_that_counted_its_meter()
    {
        // PRO counts tokens to 100,500 and 5 runs; FREE counts runs only (to 8); PRO again counts tokens to 101,000. The
        // tokens were counted under PRO alone: one plan, its included amount (the period's plans are all three).
        var counters = Counters(Pro, (Tokens, 100_500), (AgentRuns, 5)).UnderPlan(Free) with { Counters = new Dictionary<MeterName, long> { [Tokens] = 100_500, [AgentRuns] = 8 } };
        counters = counters.UnderPlan(Pro) with { Counters = new Dictionary<MeterName, long> { [Tokens] = 101_000, [AgentRuns] = 8 } };

        var charges = PeriodCharges.Price(counters, Catalog);

        // 500 beyond x 2 = 1,000 on each PRO stretch
        var line = Assert.Single(charges.Lines);
        Assert.Equal((Tokens, 1_000L, 2_000L, (string?)null), (line.Meter, line.OverageUnits, line.Amount.MinorUnits, line.Plans));
        Assert.Equal("PRO then FREE then PRO", charges.Plans);
        Assert.Equal("tokens: 1,000 beyond the 100,000 included (101,000 used), 1 Nov 2026 – 30 Nov 2026", charges.Describe(line));
    }

    [Fact]
    public void A_meter_used_only_after_an_upgrade_is_described_with_the_new_plans_amount()
    {
        // BASIC counted 300 runs and no tokens; PRO then counted 1,000 tokens beyond its 100,000 (x 2 = 2,000)
        var counters = Counters(Basic, (AgentRuns, 300)).UnderPlan(Pro) with { Counters = new Dictionary<MeterName, long> { [AgentRuns] = 300, [Tokens] = 101_000 } };

        var charges = PeriodCharges.Price(counters, TwoPaidPlans);

        var line = Assert.Single(charges.Lines);
        Assert.Equal((Tokens, 2_000L, (string?)null), (line.Meter, line.Amount.MinorUnits, line.Plans));
        Assert.Equal("BASIC then PRO", charges.Plans);
    }

    [Fact]
    public void A_meter_billed_as_overage_with_nothing_beyond_has_a_zero_charge_in_the_first_billing_plans_currency()
    {
        // BASIC in euros counted 300 of its 500 runs, PRO in dollars up to 600 of its 1,000: nothing beyond either. The
        // usage view shows a zero charge (not none), in the currency of the first plan that billed the meter.
        var catalog = CatalogWithBasicOverage("eur");
        var counters = Counters(Basic, (AgentRuns, 300)).UnderPlan(Pro) with { Counters = new Dictionary<MeterName, long> { [AgentRuns] = 600 } };

        var charge = PeriodCharges.Charge(counters, AgentRuns, catalog, catalog.Find(Pro)!.PolicyFor(AgentRuns), 1_000);

        Assert.NotNull(charge);
        Assert.Equal((600L, 1_000L, 0L, "BASIC then PRO"), (charge.Used, charge.Included, charge.OverageUnits, charge.Plans));
        Assert.Equal(Money.Zero(Currency.Parse("eur")), charge.Amount);
        Assert.True(PeriodCharges.Price(counters, catalog).IsZero);
    }

    [Fact]
    public void A_downgrade_to_a_plan_without_overage_still_bills_what_the_paid_plan_counted()
    {
        var counters = Counters(Pro, (AgentRuns, 1_250)).UnderPlan(Free);

        var charges = PeriodCharges.Price(counters, Catalog);

        Assert.Equal(Free, charges.Plan);
        Assert.Equal(Usd, charges.Currency);
        var line = Assert.Single(charges.Lines);
        Assert.Equal((250L, 750L, "PRO then FREE"), (line.OverageUnits, line.Amount.MinorUnits, line.Plans));
    }

    [Fact]
    public void UnderPlan_closes_the_plans_stretch_only_when_the_plan_changes()
    {
        var counters = Counters(Pro, (AgentRuns, 1_200)) with { Included = new Dictionary<MeterName, long> { [AgentRuns] = 1_000 } };

        Assert.Same(counters, counters.UnderPlan(Pro));
        Assert.Equal(Pro, Counters(null, (AgentRuns, 3)).UnderPlan(Pro).Plan); // a period counted before plans were kept
        Assert.Empty(Counters(null, (AgentRuns, 3)).UnderPlan(Pro).Earlier);

        var changed = counters.UnderPlan(Basic);
        var earlier = Assert.Single(changed.Earlier);
        Assert.Equal((Pro, 0L, 1_200L, 1_000L), (earlier.Plan, earlier.From.GetValueOrDefault(AgentRuns), earlier.To[AgentRuns], earlier.Included[AgentRuns]));
        Assert.Equal((Basic, 1_200L), (changed.Plan, changed.Since[AgentRuns]));
        Assert.Empty(changed.Included);
        Assert.Equal(200, changed.OverageUnits(AgentRuns, 500)); // PRO's 200; BASIC has counted nothing yet
        Assert.Equal([(Pro, 0L, 1_200L), (Basic, 1_200L, 1_200L)], changed.StretchesOf(AgentRuns).Select(s => (s.Plan, s.From, s.To)));
    }

    [Fact]
    public void Arguments_are_required()
    {
        Assert.Throws<ArgumentNullException>(() => PeriodCharges.Price(null!, Catalog));
        Assert.Throws<ArgumentNullException>(() => PeriodCharges.Price(Counters(Pro), null!));
    }

    private static PeriodCharges Price(PlanCode plan, params (MeterName Meter, long Used)[] used) =>
        PeriodCharges.Price(Counters(plan, used), Catalog);

    private static UsageCounters Counters(PlanCode? plan, params (MeterName Meter, long Used)[] used) => new()
    {
        AccountId = Account,
        Period = November,
        Counters = used.ToDictionary(u => u.Meter, u => u.Used),
        Plan = plan,
    };

    private static PlanCatalog CatalogWithBasicOverage(string currency = "usd")
    {
        var options = TestCatalog.Options();
        var basic = options.Plan("BASIC");
        basic.Currency = currency;
        basic.Meters["agent_runs"] = new MeterOptions { Quota = 500, Enforcement = MeterEnforcement.Overage, Overage = new OveragePriceOptions { UnitAmount = 5 } };
        return PlanCatalog.Create(options);
    }
}
