using Billing.Application.Credits;
using Billing.Application.Invoicing;
using Billing.Application.Outcomes;
using Billing.Domain.Credits;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.Domain.Pricing;
using Billing.TestSupport;

namespace Billing.Application.Tests.Invoicing;

/// <summary>The caller's usage invoices and what the current period has accrued, priced as its invoice will be.</summary>
public sealed class AccountInvoicesTests
{
    private readonly InvoicingTestBed _bed = new();

    [Fact]
    public async Task The_upcoming_invoice_prices_the_current_period_as_the_job_will_and_creates_nothing()
    {
        var subscriber = await _bed.SubscribeProAsync();

        var upcoming = (await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None)).Charges;

        // 250 runs x 3 = 750; 12,000 tokens: 1,000 x 2 + (9,000 x 1 + 100) + (2,000 x 0 + 500) = 11,600
        Assert.Equal(subscriber.Period, upcoming.Period);
        Assert.Equal(PlanCode.Parse("PRO"), upcoming.Plan);
        Assert.Equal([750L, 11_600L], upcoming.Lines.Select(l => l.Amount.MinorUnits));
        Assert.Equal(InvoicingTestBed.Total, upcoming.Total.MinorUnits);
        Assert.Empty(_bed.Stripe.Calls);
        Assert.Empty(_bed.Runs.History);

        // The period closes untouched: its invoice has exactly the lines announced
        _bed.Close(subscriber.Period);
        var run = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal(
            upcoming.Lines.Select(l => (l.Meter, l.Used, l.Included, l.OverageUnits, l.Amount.MinorUnits, upcoming.Describe(l))),
            run!.Lines.Select(l => (l.Meter, l.Used, l.Included, l.OverageUnits, l.Amount, l.Description)));
        Assert.Equal(upcoming.Total.MinorUnits, _bed.AssertInvoicedOnce(subscriber).Total);
    }

    [Fact]
    public async Task The_upcoming_invoice_shows_the_spendable_credit_of_its_currency_that_would_pay_part_of_it()
    {
        var subscriber = await _bed.SubscribeProAsync();
        var usd = Currency.Parse("usd");
        await _bed.Credits.PostAsync(subscriber.Id, CreditOperation.Grant("cs:a", usd, 2_000, null, "pack:A", "pi_a", "cs_a"), CancellationToken.None);
        await _bed.Credits.PostAsync(subscriber.Id, CreditOperation.Grant("cs:eur", Currency.Parse("eur"), 9_000, null, "pack:EUR", "pi_eur", "cs_eur"), CancellationToken.None);
        await _bed.Credits.PostAsync(subscriber.Id, CreditOperation.Grant("cs:old", usd, 9_000, _bed.Time.GetUtcNow().AddMinutes(1), "pack:OLD", "pi_old", "cs_old"), CancellationToken.None);
        _bed.Time.Advance(TimeSpan.FromMinutes(2)); // the second USD grant has expired

        var some = await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None);

        Assert.Equal((InvoicingTestBed.Total, 2_000L, InvoicingTestBed.Total - 2_000), (some.Charges.Total.MinorUnits, some.CreditApplicable, some.AmountDue));

        await _bed.Credits.PostAsync(subscriber.Id, CreditOperation.Grant("cs:b", usd, 50_000, null, "pack:B", "pi_b", "cs_b"), CancellationToken.None);
        var all = await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None);

        Assert.Equal((InvoicingTestBed.Total, 0L), (all.CreditApplicable, all.AmountDue)); // at most the total
        Assert.Empty(_bed.Stripe.Calls);
    }

    [Fact]
    public async Task Credit_that_expires_before_the_period_closes_is_not_shown_as_paying_its_invoice()
    {
        var subscriber = await _bed.SubscribeProAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_soon", 5_000, subscriber.Period.End.AddMinutes(-1)); // spendable now, gone at the close
        await _bed.GrantAsync(subscriber.Id, "cs_at", 3_000, subscriber.Period.End); // expires at the close: cannot pay what is owed then
        await _bed.GrantAsync(subscriber.Id, "cs_after", 2_000, subscriber.Period.End.AddMinutes(1));

        var upcoming = await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None);

        Assert.Equal((2_000L, InvoicingTestBed.Total - 2_000), (upcoming.CreditApplicable, upcoming.AmountDue));

        // The invoice spends exactly what was shown
        _bed.Close(subscriber.Period);
        var run = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal((upcoming.CreditApplicable, upcoming.AmountDue), (run!.CreditApplied, run.AmountDue));
    }

    [Fact]
    public async Task The_upcoming_invoice_shows_only_the_credit_a_closed_periods_invoice_still_to_be_made_leaves()
    {
        var subscriber = await _bed.ClosedProPeriodAsync(); // 12,350 owed by a period closed 2 hours ago; its job has not run
        await _bed.GrantAsync(subscriber.Id, "cs_a", 12_500);
        (await _bed.Usage.RecordAsync(subscriber.Id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded(); // the next period: 100 runs beyond, 300

        var upcoming = await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None);

        Assert.NotEqual(subscriber.Period.Key, upcoming.Charges.Period.Key);
        Assert.Equal((300L, 150L, 150L), (upcoming.Charges.Total.MinorUnits, upcoming.CreditApplicable, upcoming.AmountDue));

        // The closed period's invoice takes its part first, as announced; what it leaves is what was shown
        var run = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal(InvoicingTestBed.Total, run!.CreditApplied);
        Assert.Equal(150L, (await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None)).CreditApplicable);
        Assert.DoesNotContain(_bed.Runs.History, r => r.PeriodKey != subscriber.Period.Key); // the estimate wrote nothing
    }

    [Fact]
    public async Task A_closed_periods_spend_posted_by_a_job_that_stopped_before_saving_it_is_not_taken_twice()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 12_500);
        _bed.Options.FailOnceAt = [nameof(InvoiceRunStep.CreditApplied) + InvoicingOptions.UnsavedSuffix];
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => _bed.DeliverAsync(subscriber.Job)); // spent 12,350, the run still at computed
        Assert.Equal(InvoiceRunStep.Computed, _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Step);
        (await _bed.Usage.RecordAsync(subscriber.Id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded();

        Assert.Equal(150L, (await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None)).CreditApplicable);
    }

    [Fact]
    public async Task A_closed_period_whose_job_already_computed_its_run_holds_that_runs_total_though_prices_changed_since()
    {
        // The closed period's job computed its run (12,350) and stopped before spending; then a deployment prices PRO's
        // runs at 5 (the period would reprice at 250 x 5 + 11,600 = 12,850). Its job resumes with the run's 12,350, so
        // 150 of the 12,500 are left for the next period (100 runs beyond at 5: 500).
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Options.FailOnceAt = [nameof(InvoiceRunStep.Computed)];
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => _bed.DeliverAsync(subscriber.Job));
        Assert.Equal((InvoiceRunStep.Computed, InvoicingTestBed.Total), (_bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Step, _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Total));
        await _bed.GrantAsync(subscriber.Id, "cs_a", 12_500);
        (await _bed.Usage.RecordAsync(subscriber.Id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded();
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["agent_runs"].Overage!.UnitAmount = 5;
        var catalog = PlanCatalog.Create(options);
        var entitlements = new Billing.Application.Entitlements.AccountEntitlements(_bed.Usage.Accounts, catalog, Microsoft.Extensions.Options.Options.Create(new Billing.Application.Entitlements.EntitlementOptions { PastDueGracePeriod = TimeSpan.FromDays(3) }), _bed.Time);
        var invoices = new AccountInvoices(_bed.Runs, _bed.Usage.Accounts, entitlements, _bed.Ledger, _bed.Credits, new CreditOrder(new PendingInvoiceSpends(_bed.Ledger, _bed.Runs), _bed.Credits, catalog, Microsoft.Extensions.Options.Options.Create(_bed.Options)), catalog, _bed.Time);

        var upcoming = await invoices.UpcomingAsync(subscriber.Id, CancellationToken.None);

        Assert.Equal((500L, 150L, 350L), (upcoming.Charges.Total.MinorUnits, upcoming.CreditApplicable, upcoming.AmountDue));
    }

    [Fact]
    public async Task A_closed_period_whose_charges_do_not_fit_in_64_bits_holds_no_credit_from_the_next_invoice_nor_breaks_it()
    {
        // Its job ends with a logged reason and bills nothing (InvoiceAccountTests), so it spends no credit
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Ledger.Set(subscriber.Id, subscriber.Period, UsageTestBed.AgentRuns, long.MaxValue / 2); // overage at 3 cents overflows
        await _bed.GrantAsync(subscriber.Id, "cs_a", 500);
        (await _bed.Usage.RecordAsync(subscriber.Id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded(); // the next period: 100 runs beyond, 300

        var upcoming = await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None);

        Assert.NotEqual(subscriber.Period.Key, upcoming.Charges.Period.Key);
        Assert.Equal((300L, 300L, 0L), (upcoming.Charges.Total.MinorUnits, upcoming.CreditApplicable, upcoming.AmountDue));
    }

    [Fact]
    public async Task A_last_unit_of_credit_is_taken_by_the_closed_periods_invoice_first()
    {
        var subscriber = await _bed.ClosedProPeriodAsync(); // owes 12,350, its job has not run
        await _bed.GrantAsync(subscriber.Id, "cs_a", 1);
        (await _bed.Usage.RecordAsync(subscriber.Id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded();

        var upcoming = await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None);

        Assert.Equal((300L, 0L, 300L), (upcoming.Charges.Total.MinorUnits, upcoming.CreditApplicable, upcoming.AmountDue));
    }

    [Fact]
    public async Task A_closed_period_whose_charges_are_in_two_currencies_holds_no_credit_from_the_next_invoice_nor_breaks_it()
    {
        // BASIC bills runs beyond 500 at 5 euro cents: 700 runs on it, 200 beyond (1,000 EUR cents); then PRO, in dollars,
        // 1,000 tokens beyond its 100,000 (2,000 USD cents). One invoice carries one currency: the period's job cannot
        // price it and bills nothing (as for charges beyond 64 bits), so it holds no credit from the next period's invoice.
        var options = TestCatalog.Options();
        var basic = options.Plan("BASIC");
        basic.Currency = "eur";
        basic.Meters["agent_runs"] = new MeterOptions { Quota = 500, Enforcement = MeterEnforcement.Overage, Overage = new OveragePriceOptions { UnitAmount = 5 } };
        var bed = new InvoicingTestBed(options);
        var (id, period) = bed.Usage.Subscribe(TestCatalog.BasicMonthly);
        (await bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 700)).AssertSucceeded();
        bed.Usage.ChangePlan(id, TestCatalog.ProMonthly);
        (await bed.Usage.RecordAsync(id, UsageTestBed.Tokens, 101_000)).AssertSucceeded();
        bed.Close(period);
        await Assert.ThrowsAsync<CurrencyMismatchException>(() => bed.DeliverAsync(new InvoiceJob(id, period.Key)));
        await bed.GrantAsync(id, "cs_a", 500);
        (await bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded(); // the next period, on PRO: 100 runs beyond, 300

        var upcoming = await bed.Invoices.UpcomingAsync(id, CancellationToken.None);

        Assert.NotEqual(period.Key, upcoming.Charges.Period.Key);
        Assert.Equal((300L, 300L, 0L), (upcoming.Charges.Total.MinorUnits, upcoming.CreditApplicable, upcoming.AmountDue));

        // And the next period's invoice spends it as announced, while the earlier period is still not invoiced
        bed.Close(upcoming.Charges.Period);
        var next = await bed.DeliverAsync(new InvoiceJob(id, upcoming.Charges.Period.Key));
        Assert.Equal((InvoiceRunStep.CoveredByCredit, 300L, 300L), (next!.Step, next.Total, next.CreditApplied));
        Assert.Null(bed.Ledger.InvoicedAt(id, period.Key));
    }

    [Fact]
    public async Task A_period_Stripe_extended_before_its_job_moved_its_end_is_the_upcoming_one_and_not_also_a_closed_one()
    {
        var start = _bed.Time.GetUtcNow().AddDays(-3);
        var (id, period) = _bed.Usage.Subscribe(TestCatalog.ProMonthly, period: (start, start.AddDays(20)));
        (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 1_250)).AssertSucceeded(); // 250 beyond: 750
        _bed.Close(period); // the counters' end has passed, but Stripe has the period end 5 days later
        _bed.Usage.ChangePlan(id, TestCatalog.ProMonthly, period: (start, start.AddDays(25)));
        await _bed.GrantAsync(id, "cs_a", 1_000);

        var upcoming = await _bed.Invoices.UpcomingAsync(id, CancellationToken.None);

        Assert.Equal(period.Key, upcoming.Charges.Period.Key);
        Assert.Equal((750L, 750L), (upcoming.Charges.Total.MinorUnits, upcoming.CreditApplicable));
    }

    [Fact]
    public async Task A_closed_period_outside_the_look_back_window_holds_no_credit_in_the_estimate()
    {
        var subscriber = await _bed.ClosedProPeriodAsync(); // its job never ran, and no sweep queues it any more
        _bed.Options.LookbackDays = 1;
        _bed.Time.Advance(TimeSpan.FromDays(2));
        await _bed.GrantAsync(subscriber.Id, "cs_a", 500);
        (await _bed.Usage.RecordAsync(subscriber.Id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded();

        Assert.Equal(300L, (await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None)).CreditApplicable);
    }

    [Fact]
    public async Task A_closed_period_in_the_look_back_window_today_holds_its_credit_though_the_window_leaves_it_before_the_period_ends()
    {
        // The sweep still queues the closed period's job (within 3 days now), so its 12,350 come first; the window is
        // counted back from now, not from the current period's end (by then the closed period is out of it)
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Options.LookbackDays = 3;
        _bed.Time.Advance(TimeSpan.FromDays(2));
        await _bed.GrantAsync(subscriber.Id, "cs_a", 12_500);
        (await _bed.Usage.RecordAsync(subscriber.Id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded(); // the next period: 100 runs beyond, 300

        var upcoming = await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None);

        Assert.Equal((300L, 150L, 150L), (upcoming.Charges.Total.MinorUnits, upcoming.CreditApplicable, upcoming.AmountDue));
    }

    [Fact]
    public async Task The_upcoming_invoice_follows_the_usage_as_it_is_counted()
    {
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 900, tokens: 0);
        Assert.True((await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None)).Charges.IsZero);

        (await _bed.Usage.RecordAsync(subscriber.Id, UsageTestBed.AgentRuns, 101)).AssertSucceeded();

        // 1,001 - 1,000 = 1 run x 3
        var upcoming = (await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None)).Charges;
        Assert.Equal(3, upcoming.Total.MinorUnits);
    }

    [Fact]
    public async Task After_a_catalog_change_the_upcoming_invoice_and_the_usage_view_of_the_open_period_agree()
    {
        // 1,250 runs counted on PRO (1,000 included): 250 x 3 = 750. Then a deployment raises PRO's included runs to 2,000.
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 1_250, tokens: 0);
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["agent_runs"]!.Quota = 2_000;
        var catalog = PlanCatalog.Create(options);
        var entitlements = new Billing.Application.Entitlements.AccountEntitlements(_bed.Usage.Accounts, catalog, Microsoft.Extensions.Options.Options.Create(new Billing.Application.Entitlements.EntitlementOptions { PastDueGracePeriod = TimeSpan.FromDays(3) }), _bed.Time);
        var report = new Billing.Application.Usage.UsageReport(catalog, _bed.Usage.Accounts, entitlements, _bed.Ledger, _bed.Time);
        var invoices = new AccountInvoices(_bed.Runs, _bed.Usage.Accounts, entitlements, _bed.Ledger, _bed.Credits, new CreditOrder(new PendingInvoiceSpends(_bed.Ledger, _bed.Runs), _bed.Credits, catalog, Microsoft.Extensions.Options.Options.Create(_bed.Options)), catalog, _bed.Time);

        var view = Assert.Single((await report.GetAsync(subscriber.Id, "current", CancellationToken.None)).AssertSucceeded().Periods).Meters.Single(m => m.Meter == UsageTestBed.AgentRuns);
        var upcoming = (await invoices.UpcomingAsync(subscriber.Id, CancellationToken.None)).Charges;

        Assert.Equal(
            (view.Quota, view.OverageUnits, view.OverageCharge?.MinorUnits ?? 0),
            (upcoming.Lines.SingleOrDefault(l => l.Meter == UsageTestBed.AgentRuns)?.Included ?? view.Quota, upcoming.Lines.SingleOrDefault(l => l.Meter == UsageTestBed.AgentRuns)?.OverageUnits ?? 0, upcoming.Total.MinorUnits));
    }

    [Fact]
    public async Task Without_usage_the_upcoming_invoice_is_empty_for_the_current_plan_and_period()
    {
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 0, tokens: 0);

        var upcoming = (await _bed.Invoices.UpcomingAsync(subscriber.Id, CancellationToken.None)).Charges;

        Assert.True(upcoming.IsZero);
        Assert.Equal(PlanCode.Parse("PRO"), upcoming.Plan);
        Assert.Equal(subscriber.Period, upcoming.Period);
        Assert.Equal("usd", upcoming.Currency.Code);
    }

    [Fact]
    public async Task An_unknown_account_gets_the_free_plans_empty_calendar_month()
    {
        var upcoming = (await _bed.Invoices.UpcomingAsync(AccountId.Parse("user-unknown"), CancellationToken.None)).Charges;

        Assert.True(upcoming.IsZero);
        Assert.Equal(PlanCode.Parse("FREE"), upcoming.Plan);
        Assert.Equal(UsagePeriod.CalendarMonth(_bed.Time.GetUtcNow()), upcoming.Period);
        Assert.Empty(_bed.Runs.History);
    }

    [Fact]
    public async Task The_list_holds_the_accounts_invoiced_runs_only()
    {
        var invoiced = await _bed.SubscribeProAsync();
        var nothing = await _bed.SubscribeProAsync(agentRuns: 1, tokens: 1);
        _bed.Close(invoiced.Period);
        await _bed.DeliverAsync(invoiced.Job);
        await _bed.DeliverAsync(nothing.Job);

        var list = await FirstPageAsync(invoiced.Id);

        var run = Assert.Single(list.Invoices);
        Assert.Null(list.NextCursor);
        Assert.Equal(_bed.AssertInvoicedOnce(invoiced).Number, run.Number);
        Assert.Equal(InvoicingTestBed.Total, run.Total);
        Assert.Empty((await FirstPageAsync(nothing.Id)).Invoices);
        Assert.Empty((await FirstPageAsync(AccountId.Parse("user-unknown"))).Invoices);
    }

    [Theory]
    [InlineData(null, 2)] // the default page (100): what the listing returned before it was paged comes first
    [InlineData(7, 19)]
    [InlineData(1, 130)] // every boundary, the two periods that began at one instant included
    public async Task An_account_with_more_invoices_than_a_page_reaches_every_one_newest_period_first_none_twice(int? limit, int pages)
    {
        var account = UsageTestBed.NewAccountId();
        var expected = PutInvoicedHistory(account);

        var listed = new List<string>();
        var sizes = new List<int>();
        string? cursor = null;
        do
        {
            var page = Assert.IsType<Succeeded<InvoicePage>>(await _bed.Invoices.ListAsync(account, cursor, limit, CancellationToken.None)).Value;
            listed.AddRange(page.Invoices.Select(r => r.RunId));
            sizes.Add(page.Invoices.Count);
            cursor = page.NextCursor;
        }
        while (cursor is not null && sizes.Count <= expected.Count);

        Assert.Equal(130, expected.Count);
        Assert.Equal(expected, listed);
        Assert.Equal(pages, sizes.Count);
        Assert.All(sizes.SkipLast(1), size => Assert.Equal(limit ?? AccountInvoices.DefaultLimit, size));
    }

    [Fact]
    public async Task A_cursor_of_another_account_or_another_listing_or_a_bad_limit_is_a_field_error()
    {
        var account = UsageTestBed.NewAccountId();
        PutInvoicedHistory(account);
        var mine = Assert.IsType<Succeeded<InvoicePage>>(await _bed.Invoices.ListAsync(account, null, 3, CancellationToken.None)).Value.NextCursor;
        var credits = new CreditsOverview(_bed.Credits, _bed.CreditStore, _bed.Time);
        await _bed.GrantAsync(account, "cs_a", 100);
        await _bed.GrantAsync(account, "cs_b", 100);
        var ledger = Assert.IsType<Succeeded<CreditsView>>(await credits.GetAsync(account, null, 1, CancellationToken.None)).Value.NextCursor;

        var another = await _bed.Invoices.ListAsync(UsageTestBed.NewAccountId(), mine, 3, CancellationToken.None);
        var otherListing = await _bed.Invoices.ListAsync(account, ledger, 3, CancellationToken.None);

        Assert.Contains("other filters", Assert.Single(Assert.IsType<Invalid<InvoicePage>>(another).Errors.For("cursor")), StringComparison.Ordinal);
        Assert.Contains("Not a cursor of this listing", Assert.Single(Assert.IsType<Invalid<InvoicePage>>(otherListing).Errors.For("cursor")), StringComparison.Ordinal);
        Assert.Equal(["limit"], Assert.IsType<Invalid<InvoicePage>>(await _bed.Invoices.ListAsync(account, null, 0, CancellationToken.None)).Errors.Fields);
        Assert.Equal(["limit"], Assert.IsType<Invalid<InvoicePage>>(await _bed.Invoices.ListAsync(account, null, AccountInvoices.MaxLimit + 1, CancellationToken.None)).Errors.Fields);
        Assert.IsType<Succeeded<InvoicePage>>(await _bed.Invoices.ListAsync(account, mine, 3, CancellationToken.None));
    }

    private async Task<InvoicePage> FirstPageAsync(AccountId account) =>
        Assert.IsType<Succeeded<InvoicePage>>(await _bed.Invoices.ListAsync(account, null, null, CancellationToken.None)).Value;

    /// <summary>
    /// Eight years of monthly subscription invoices, a second plan period in every third month (a plan change
    /// mid-month), two periods of one month that began at the same instant, runs that produced no invoice, and another
    /// account's invoices: the account's invoiced run ids in the order the listing promises (newest period first, then
    /// run id descending).
    /// </summary>
    private List<string> PutInvoicedHistory(AccountId account)
    {
        var other = UsageTestBed.NewAccountId();
        var start = new DateTimeOffset(2018, 1, 10, 8, 0, 0, TimeSpan.Zero);
        var invoiced = new List<InvoiceRun>();
        for (var month = 0; month < 96; month++)
        {
            var from = start.AddMonths(month);
            if (month % 3 == 0)
            {
                invoiced.Add(_bed.Runs.Put(History(account, UsagePeriod.SubscriptionPeriod(from, from.AddDays(12)), $"in_{month}_a")));
                invoiced.Add(_bed.Runs.Put(History(account, UsagePeriod.SubscriptionPeriod(from.AddDays(12), from.AddMonths(1)), $"in_{month}_b")));
            }
            else
            {
                invoiced.Add(_bed.Runs.Put(History(account, UsagePeriod.SubscriptionPeriod(from, from.AddMonths(1)), $"in_{month}")));
            }

            _bed.Runs.Put(History(other, UsagePeriod.SubscriptionPeriod(from, from.AddMonths(1)), $"in_other_{month}"));
        }

        // A free calendar month and a subscription that began at its first instant: one start, two runs.
        var tie = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
        invoiced.Add(_bed.Runs.Put(History(account, UsagePeriod.CalendarMonth(tie), "in_tie_month")));
        invoiced.Add(_bed.Runs.Put(History(account, UsagePeriod.SubscriptionPeriod(tie, tie.AddDays(5)), "in_tie_sub")));
        _bed.Runs.Put(History(account, UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)), null));
        return [.. invoiced.OrderByDescending(r => r.PeriodStart).ThenByDescending(r => r.RunId, StringComparer.Ordinal).Select(r => r.RunId)];
    }

    private InvoiceRun History(AccountId account, UsagePeriod period, string? stripeInvoiceId) => new()
    {
        AccountId = account,
        PeriodKey = period.Key,
        PeriodStart = period.Start,
        PeriodEnd = period.End,
        Plan = PlanCode.Parse("PRO"),
        Currency = Currency.Parse("usd"),
        Lines = [],
        Step = stripeInvoiceId is null ? InvoiceRunStep.NothingToBill : InvoiceRunStep.Recorded,
        StripeInvoiceId = stripeInvoiceId,
        Status = stripeInvoiceId is null ? null : "paid",
        CreatedAt = _bed.Time.GetUtcNow(),
        UpdatedAt = _bed.Time.GetUtcNow(),
    };
}
