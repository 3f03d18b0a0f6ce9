using Billing.Application.Outcomes;
using Billing.Application.Tests.Fakes;
using Billing.Application.Usage;
using Billing.Domain.Credits;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.TestSupport;
using static Billing.Application.Tests.Fakes.UsageTestBed;

namespace Billing.Application.Tests.Usage;

public sealed class UsageReportTests
{
    private static readonly PlanCode Free = PlanCode.Parse("FREE");
    private static readonly PlanCode Pro = PlanCode.Parse("PRO");
    private readonly UsageTestBed _bed = new();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("current")]
    public async Task The_current_period_is_priced_with_the_plan_that_applies_now(string? period)
    {
        var account = _bed.Register();
        _bed.Ledger.Set(account, _bed.CurrentMonth, AgentRuns, 4);
        _bed.Ledger.Set(account, _bed.CurrentMonth, Tokens, 1_200);

        var report = (await _bed.Report.GetAsync(account, period, CancellationToken.None)).AssertSucceeded();

        Assert.Equal((account, Start, "current"), (report.AccountId, report.AsOf, report.Requested));
        var current = Assert.Single(report.Periods);
        Assert.Equal(_bed.CurrentMonth, current.Period);
        Assert.Equal(Free, current.Plan.Code);
        Assert.Equal([AgentRuns, Tokens, ApiCalls], current.Meters.Select(m => m.Meter)); // consumption meters only
        Assert.Equal([(4L, (long?)10, (long?)6), (1_200L, 1_000, 0), (0L, null, null)], current.Meters.Select(m => (m.Used, m.Quota, m.Remaining)));
        Assert.Empty(current.OverageTotal);
    }

    [Fact]
    public async Task A_subscriptions_current_period_shows_the_overage_so_far()
    {
        var (account, period) = _bed.Subscribe(TestCatalog.ProMonthly);
        _bed.Ledger.Set(account, period, AgentRuns, 1_250);

        var current = Assert.Single((await _bed.Report.GetAsync(account, "current", CancellationToken.None)).AssertSucceeded().Periods);

        Assert.Equal((period, Pro), (current.Period, current.Plan.Code));
        Assert.Equal(250, current.Meters[0].OverageUnits);
        Assert.Equal([new Money(750, Currency.Parse("usd"))], current.OverageTotal);
    }

    [Fact]
    public async Task After_a_plan_change_the_overage_counted_under_the_earlier_plan_stays_in_the_current_period()
    {
        var (account, period) = _bed.Subscribe(TestCatalog.ProMonthly);
        (await _bed.RecordAsync(account, AgentRuns, 1_250)).AssertSucceeded(); // 250 beyond PRO's 1,000, x 3
        Assert.Equal(period, _bed.ChangePlan(account, TestCatalog.BasicMonthly)); // BASIC: 500 runs, hard limit, no overage

        var current = Assert.Single((await _bed.Report.GetAsync(account, "current", CancellationToken.None)).AssertSucceeded().Periods);

        Assert.Equal(PlanCode.Parse("BASIC"), current.Plan.Code);
        Assert.Equal((1_250L, (long?)500, 250L), (current.Meters[0].Used, current.Meters[0].Quota, current.Meters[0].OverageUnits));
        Assert.Equal([new Money(750, Currency.Parse("usd"))], current.OverageTotal);
        Assert.Equal(RefusalReason.QuotaExceeded, (await _bed.RecordAsync(account, AgentRuns, 1)).AssertRefused().Reason); // nothing more on BASIC
    }

    [Fact]
    public async Task An_unregistered_account_reads_as_free_without_usage_and_is_not_created()
    {
        var unknown = NewAccountId();

        var current = Assert.Single((await _bed.Report.GetAsync(unknown, null, CancellationToken.None)).AssertSucceeded().Periods);

        Assert.Equal(Free, current.Plan.Code);
        Assert.All(current.Meters, m => Assert.Equal(0, m.Used));
        Assert.Null(await _bed.Accounts.GetAsync(unknown, CancellationToken.None));
    }

    [Fact]
    public async Task A_month_lists_the_periods_that_started_in_it_each_priced_with_its_own_plan()
    {
        var account = _bed.Register();
        var other = _bed.Register();
        var october = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 10, 9, 0, 0, 0, TimeSpan.Zero));
        var november = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 9, 0, 0, 0, TimeSpan.Zero));
        var subscription = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2026, 11, 18, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 18, 9, 0, 0, TimeSpan.Zero));
        _bed.Ledger.Set(account, october, AgentRuns, 9, Free);
        _bed.Ledger.Set(account, subscription, AgentRuns, 1_100, Pro, included: 1_000);
        _bed.Ledger.Set(account, november, AgentRuns, 7, Free);
        _bed.Ledger.Set(other, november, AgentRuns, 3, Free);

        var report = (await _bed.Report.GetAsync(account, "2026-11", CancellationToken.None)).AssertSucceeded();

        Assert.Equal("2026-11", report.Requested);
        Assert.Equal([(november.Key, Free), (subscription.Key, Pro)], report.Periods.Select(p => (p.Period.Key, p.Plan.Code)));
        Assert.Equal([7L, 1_100L], report.Periods.Select(p => p.Meters[0].Used));
        Assert.Equal([new Money(300, Currency.Parse("usd"))], report.Periods[1].OverageTotal);
        Assert.Equal(9, Assert.Single((await _bed.Report.GetAsync(account, "2026-10", CancellationToken.None)).AssertSucceeded().Periods).Meters[0].Used);
        Assert.Empty((await _bed.Report.GetAsync(account, "2027-01", CancellationToken.None)).AssertSucceeded().Periods);
    }

    [Fact]
    public async Task A_past_period_shows_the_included_units_its_invoice_priced_with_add_ons_and_all()
    {
        var account = _bed.Register();
        var past = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2026, 10, 18, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 18, 9, 0, 0, TimeSpan.Zero));
        _bed.Ledger.Set(account, past, AgentRuns, 1_100, Pro, included: 1_100); // the plan's 1,000 and an add-on of 100

        var meter = Assert.Single((await _bed.Report.GetAsync(account, "2026-10", CancellationToken.None)).AssertSucceeded().Periods).Meters[0];

        Assert.Equal((1_100L, (long?)1_100, (long?)0, 0L), (meter.Used, meter.Quota, meter.Remaining, meter.OverageUnits));
        Assert.Equal(0, meter.OverageCharge!.Value.MinorUnits);
    }

    [Fact]
    public async Task A_past_periods_hard_limit_includes_the_add_ons_bought_for_it_so_usage_they_allowed_is_not_shown_over_it()
    {
        var account = _bed.Register();
        var october = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 10, 9, 0, 0, 0, TimeSpan.Zero));
        var september = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 9, 9, 0, 0, 0, TimeSpan.Zero));
        _bed.Ledger.Set(account, october, AgentRuns, 90, Free); // FREE: 10 agent runs, hard limit
        await _bed.Accounts.UpdateAsync(account, a => a
            .GrantAddOn(AddOn("cs:oct", october.Start.AddDays(3), october.Key, units: 100))
            .GrantAddOn(AddOn("cs:sep", september.Start.AddDays(3), september.Key, units: 1_000)) // another period's
            .GrantAddOn(AddOn("cs:tokens", october.Start.AddDays(3), october.Key, units: 500) with { Code = "EXTRA_TOKENS", Meter = Tokens }) // another meter's
            .GrantAddOn(AddOn("cs:refunded", october.Start.AddDays(4), october.Key, units: 50) with { RevokedAt = october.Start.AddDays(5) }), // refunded within the period: applied for a while
            CancellationToken.None);

        var meters = Assert.Single((await _bed.Report.GetAsync(account, "2026-10", CancellationToken.None)).AssertSucceeded().Periods).Meters;

        Assert.Equal((90L, (long?)160, (long?)70), (meters[0].Used, meters[0].Quota, meters[0].Remaining));
        Assert.Equal((Tokens, (long?)1_500), (meters[1].Meter, meters[1].Quota)); // FREE's 1,000 tokens and the tokens add-on
    }

    private static MeterAddOn AddOn(string grantId, DateTimeOffset grantedAt, UsagePeriodKey period, long units) =>
        new() { GrantId = grantId, Code = "EXTRA_AGENT_RUNS", Meter = AgentRuns, Units = units, GrantedAt = grantedAt, PeriodKey = period };

    [Fact]
    public async Task A_period_without_a_known_plan_is_priced_with_the_free_plan()
    {
        var account = _bed.Register();
        var october = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 10, 9, 0, 0, 0, TimeSpan.Zero));
        var retired = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero));
        _bed.Ledger.Set(account, october, AgentRuns, 2); // counted before the plan was kept
        _bed.Ledger.Set(account, retired, AgentRuns, 2, PlanCode.Parse("LEGACY"));

        var report = (await _bed.Report.GetAsync(account, "2026-10", CancellationToken.None)).AssertSucceeded();

        Assert.Equal([Free, Free], report.Periods.Select(p => p.Plan.Code));
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("9999-12")]
    [InlineData("2026-1")]
    [InlineData("11-2026")]
    [InlineData("2026-11-01")]
    [InlineData("CURRENT")]
    [InlineData("last")]
    public async Task Anything_else_is_an_invalid_period(string period)
    {
        var errors = (await _bed.Report.GetAsync(_bed.Register(), period, CancellationToken.None)).AssertInvalid();

        Assert.Equal("Use 'current' or a month as YYYY-MM (e.g. 2026-11).", Assert.Single(errors.For("period")));
        Assert.Equal(0, _bed.Ledger.Reads);
    }
}
