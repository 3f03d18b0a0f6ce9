using Billing.Application.Catalog;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace Billing.Application.Tests.Catalog;

/// <summary>The catalog with Stripe's prices: read once per ten minutes, the last read kept through an outage, Stripe asked at most once per retry interval meanwhile, never failing or holding up the catalog.</summary>
public sealed class PlanPricingTests : IDisposable
{
    private static readonly Currency Usd = Currency.Parse("usd");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeStripePrices _stripe = new();
    private readonly FakeLogger<PlanPricing> _log = new();
    private readonly PlanPricing _pricing;

    public PlanPricingTests()
    {
        _stripe.Prices[TestCatalog.ProMonthly] = new StripePlanPrice(new Money(4_900, Usd), BillingInterval.Month);
        _stripe.Prices[TestCatalog.BasicMonthly] = new StripePlanPrice(new Money(1_900, Usd), BillingInterval.Month);
        _pricing = new PlanPricing(TestCatalog.Create(), _stripe, _time, _log);
    }

    [Fact]
    public async Task Each_plan_gets_the_prices_stripe_knows_for_its_intervals_and_no_others()
    {
        var offers = await _pricing.ListAsync(CancellationToken.None);

        Assert.True(offers.PricesAvailable);
        var pro = offers.Plans.Single(o => o.Plan.Code == PlanCode.Parse("PRO"));
        Assert.Equal(new Money(4_900, Usd), pro.Prices[BillingInterval.Month]);
        var basic = offers.Plans.Single(o => o.Plan.Code == PlanCode.Parse("BASIC"));
        Assert.Equal([BillingInterval.Month], basic.Prices.Keys); // the yearly price is unknown to Stripe here
        Assert.Empty(offers.Plans.Single(o => o.Plan.Code == PlanCode.Parse("FREE")).Prices);
        Assert.Equal(offers.Plans.Select(o => o.Plan.Code), TestCatalog.Create().Plans.Select(p => p.Code));
    }

    [Fact]
    public async Task A_price_stripe_bills_at_the_other_interval_is_left_out_not_shown_as_this_intervals_amount()
    {
        // The merchant put BASIC's yearly price in its Month slot and its monthly one in the Year slot: shown as they
        // are, the page would say "$490.00 a month" and sell a monthly subscription behind "a year".
        _stripe.Prices[TestCatalog.BasicMonthly] = new StripePlanPrice(new Money(49_000, Usd), BillingInterval.Year);
        _stripe.Prices[TestCatalog.BasicYearly] = new StripePlanPrice(new Money(1_900, Usd), BillingInterval.Month);

        var offers = await _pricing.ListAsync(CancellationToken.None);

        Assert.Empty(offers.Plans.Single(o => o.Plan.Code == PlanCode.Parse("BASIC")).Prices);
        Assert.Equal(new Money(4_900, Usd), offers.Plans.Single(o => o.Plan.Code == PlanCode.Parse("PRO")).Prices[BillingInterval.Month]);
    }

    [Fact]
    public async Task A_price_in_another_currency_than_the_plans_is_left_out_and_the_plan_not_sold_by_it()
    {
        // PRO bills overage in usd on usage invoices of the subscriber's customer; sold in eur, its subscriber would pay
        // the plan in eur and its overage in usd, not what the catalog and the pricing page say.
        _stripe.Prices[TestCatalog.ProMonthly] = new StripePlanPrice(new Money(4_500, Currency.Parse("eur")), BillingInterval.Month);
        var catalog = TestCatalog.Create();

        var offers = await _pricing.ListAsync(CancellationToken.None);

        Assert.Empty(offers.Plans.Single(o => o.Plan.Code == PlanCode.Parse("PRO")).Prices);
        Assert.Equal(
            $"its price {TestCatalog.ProMonthly} is in eur in Stripe, but the plan's currency (its overage, billed on usage invoices) is usd",
            await _pricing.WhyNotSoldAsync(catalog.Get(PlanCode.Parse("PRO")), BillingInterval.Month, CancellationToken.None));
        Assert.Null(await _pricing.WhyNotSoldAsync(catalog.Get(PlanCode.Parse("BASIC")), BillingInterval.Month, CancellationToken.None));
        Assert.Equal(1, _stripe.Reads);
    }

    /// <summary>
    /// A price Stripe bills at the other interval, or in another currency than its plan's, is a catalog and Stripe that
    /// disagree: that plan and interval cannot be sold until someone fixes one of them, so each is an error for the
    /// deployment's alert, naming the price. A price Stripe does not have on sale (BASIC's yearly here) stays a warning: it
    /// may have been archived on purpose.
    /// </summary>
    [Fact]
    public async Task A_price_stripe_and_the_catalog_disagree_on_is_logged_as_an_error_for_an_operator()
    {
        _stripe.Prices[TestCatalog.BasicMonthly] = new StripePlanPrice(new Money(49_000, Usd), BillingInterval.Year);
        _stripe.Prices[TestCatalog.ProMonthly] = new StripePlanPrice(new Money(4_500, Currency.Parse("eur")), BillingInterval.Month);

        await _pricing.ListAsync(CancellationToken.None);

        var logged = _log.Collector.GetSnapshot();
        var errors = logged.Where(r => r.Level == LogLevel.Error).Select(r => r.Message).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, m => m.Contains(TestCatalog.BasicMonthly, StringComparison.Ordinal) && m.Contains("billed every Year", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.Contains(TestCatalog.ProMonthly, StringComparison.Ordinal) && m.Contains("is in eur", StringComparison.Ordinal));
        var unknown = Assert.Single(logged, r => r.Message.Contains(TestCatalog.BasicYearly, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, unknown.Level);
    }

    [Fact]
    public async Task A_plan_that_bills_no_overage_is_sold_whatever_currency_it_names_since_nothing_is_invoiced_in_it()
    {
        // BASIC bills no overage: no usage invoice is ever made in its Currency, so the subscription in eur is all its
        // subscriber pays; a Currency named on it only for show must not stop it being sold.
        var options = TestCatalog.Options();
        options.Plan("BASIC").Currency = "usd";
        var catalog = PlanCatalog.Create(options);
        _stripe.Prices[TestCatalog.BasicMonthly] = new StripePlanPrice(new Money(1_700, Currency.Parse("eur")), BillingInterval.Month);
        using var pricing = new PlanPricing(catalog, _stripe, _time, NullLogger<PlanPricing>.Instance);

        var offers = await pricing.ListAsync(CancellationToken.None);

        Assert.Equal(new Money(1_700, Currency.Parse("eur")), offers.Plans.Single(o => o.Plan.Code == PlanCode.Parse("BASIC")).Prices[BillingInterval.Month]);
        Assert.Null(await pricing.WhyNotSoldAsync(catalog.Get(PlanCode.Parse("BASIC")), BillingInterval.Month, CancellationToken.None));
    }

    [Fact]
    public async Task Prices_are_read_from_stripe_once_per_ten_minutes_even_by_concurrent_callers()
    {
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _pricing.ListAsync(CancellationToken.None)));
        _time.Advance(PlanPricing.CacheFor - TimeSpan.FromSeconds(1));
        await _pricing.ListAsync(CancellationToken.None);
        Assert.Equal(1, _stripe.Reads);

        _stripe.Prices[TestCatalog.ProMonthly] = new StripePlanPrice(new Money(5_900, Usd), BillingInterval.Month);
        _time.Advance(TimeSpan.FromSeconds(1));
        var offers = await _pricing.ListAsync(CancellationToken.None);

        Assert.Equal(2, _stripe.Reads);
        Assert.Equal(5_900, offers.Plans.Single(o => o.Plan.Code == PlanCode.Parse("PRO")).Prices[BillingInterval.Month].MinorUnits);
    }

    [Fact]
    public async Task Without_stripe_the_catalog_is_served_without_prices_and_says_so_then_prices_return()
    {
        _stripe.Down = true;

        var offers = await _pricing.ListAsync(CancellationToken.None);

        Assert.False(offers.PricesAvailable);
        Assert.All(offers.Plans, o => Assert.Empty(o.Prices));
        Assert.Equal(TestCatalog.Create().Plans.Count, offers.Plans.Count);

        _stripe.Down = false;
        _time.Advance(PlanPricing.RetryAfterFailure - TimeSpan.FromSeconds(1));
        Assert.False((await _pricing.ListAsync(CancellationToken.None)).PricesAvailable); // not asked again yet
        Assert.Equal(1, _stripe.Reads);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await _pricing.ListAsync(CancellationToken.None)).PricesAvailable);
        Assert.Equal(2, _stripe.Reads);
    }

    [Fact]
    public async Task Through_an_outage_stripe_is_asked_once_per_retry_interval_however_many_callers_come()
    {
        _stripe.Down = true;

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _pricing.ListAsync(CancellationToken.None)));
        _time.Advance(PlanPricing.RetryAfterFailure / 2);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _pricing.ListAsync(CancellationToken.None)));
        Assert.Equal(1, _stripe.Reads);

        _time.Advance(PlanPricing.RetryAfterFailure / 2);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _pricing.ListAsync(CancellationToken.None)));
        Assert.Equal(2, _stripe.Reads);
    }

    [Fact]
    public async Task A_caller_with_stale_prices_does_not_wait_for_another_callers_slow_refresh()
    {
        await _pricing.ListAsync(CancellationToken.None);
        _time.Advance(PlanPricing.CacheFor);
        _stripe.Prices[TestCatalog.ProMonthly] = new StripePlanPrice(new Money(5_900, Usd), BillingInterval.Month);
        _stripe.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refreshing = _pricing.ListAsync(CancellationToken.None);
        await WaitUntilAsync(() => _stripe.Reads == 2);

        var meanwhile = await _pricing.ListAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(4_900, meanwhile.Plans.Single(o => o.Plan.Code == PlanCode.Parse("PRO")).Prices[BillingInterval.Month].MinorUnits);
        _stripe.Hold.SetResult();
        Assert.Equal(5_900, (await refreshing).Plans.Single(o => o.Plan.Code == PlanCode.Parse("PRO")).Prices[BillingInterval.Month].MinorUnits);
        Assert.Equal(2, _stripe.Reads);
    }

    [Fact]
    public async Task Through_an_outage_the_last_prices_read_are_served()
    {
        await _pricing.ListAsync(CancellationToken.None);
        _stripe.Down = true;
        _time.Advance(PlanPricing.CacheFor * 3);

        var offers = await _pricing.ListAsync(CancellationToken.None);

        Assert.True(offers.PricesAvailable);
        Assert.Equal(4_900, offers.Plans.Single(o => o.Plan.Code == PlanCode.Parse("PRO")).Prices[BillingInterval.Month].MinorUnits);
        await _pricing.ListAsync(CancellationToken.None);
        Assert.Equal(2, _stripe.Reads); // the failed refresh is not retried by the next caller
    }

    public void Dispose() => _pricing.Dispose();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 10)
        {
            Assert.True(waited < 10_000, "timed out");
            await Task.Delay(10);
        }
    }
}
