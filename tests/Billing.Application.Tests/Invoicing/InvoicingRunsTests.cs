using System.Globalization;
using Billing.Application.Invoicing;
using Billing.Application.Outcomes;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Application.Tests.Invoicing;

/// <summary>The operator's runs: a month's closed periods queued (or priced in a dry run), followed page by page, read one at a time.</summary>
public sealed class InvoicingRunsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 10, 2, 0, 0, TimeSpan.Zero);

    private readonly InvoicingTestBed _bed = new();
    private readonly InvoicingRuns _runs;

    public InvoicingRunsTests()
    {
        _bed.Time.SetUtcNow(Now);
        _runs = new InvoicingRuns(_bed.Sweep, _bed.Ledger, _bed.Runs, _bed.Usage.Accounts, _bed.Usage.Catalog, Microsoft.Extensions.Options.Options.Create(_bed.Options), _bed.Time, NullLogger<InvoicingRuns>.Instance);
    }

    [Fact]
    public async Task A_month_queues_the_closed_not_invoiced_periods_whose_end_falls_in_it_and_counts_those_not_closed()
    {
        var calendarNovember = Count(UsagePeriod.CalendarMonth(At("2026-11-01T00:00:00Z")), 6_000); // ends 1 Dec 00:00: November's
        var midNovember = Count(Period("2026-10-15T08:00:00Z", "2026-11-15T08:00:00Z"), 6_000);
        var firstInstant = Count(Period("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"), 6_000); // October's
        var firstDay = Count(Period("2026-10-01T08:00:00Z", "2026-11-01T08:00:00Z"), 6_000); // November's first closing day
        var december = Count(Period("2026-11-05T00:00:00Z", "2026-12-05T00:00:00Z"), 6_000);
        var invoiced = Period("2026-10-20T00:00:00Z", "2026-11-20T00:00:00Z");
        var done = Count(invoiced, 6_000);
        await _bed.Ledger.MarkPeriodInvoicedAsync(done, invoiced.Key, invoiced.End, CancellationToken.None);

        var outcome = await _runs.StartAsync(new InvoicingRunRequest("2026-11", false, null), CancellationToken.None);

        var started = Assert.IsType<Succeeded<InvoicingRunStarted>>(outcome).Value;
        Assert.Equal(0, started.NotClosedYet);
        Assert.Equal(Now, started.StartedAt);
        Assert.Equal(new[] { calendarNovember, midNovember, firstDay }.Select(a => a.Value).Order(StringComparer.Ordinal), _bed.Jobs.Jobs.Select(j => j.AccountId.Value).Order(StringComparer.Ordinal));
        Assert.Equal(_bed.Jobs.Jobs.Select(j => j.RunId).Order(StringComparer.Ordinal), started.Periods.Select(p => $"{p.AccountId.Value}:{p.PeriodKey.Value}").Order(StringComparer.Ordinal));
        Assert.DoesNotContain(_bed.Jobs.Jobs, j => j.AccountId == firstInstant || j.AccountId == december || j.AccountId == done);
        Assert.Empty(started.Charges);
    }

    [Theory]
    [InlineData("2027-01", null)] // the month after the current one (Now is 10 Dec 2026): no period of it has closed
    [InlineData("2026-13", "period")]
    [InlineData(null, "period")]
    public async Task A_run_index_backfill_of_a_month_not_begun_is_refused_and_a_malformed_month_is_invalid_and_nothing_is_marked(string? period, string? invalidField)
    {
        var outcome = await _runs.BackfillRunIndexAsync(period, CancellationToken.None);

        if (invalidField is null)
        {
            var refusal = Assert.IsType<Refused<RunIndexBackfilled>>(outcome).Refusal;
            Assert.Equal((RefusalReason.PeriodNotClosed, "No period of 2027-01 has closed: the month has not begun."), (refusal.Reason, refusal.Detail));
            Assert.Null(await _bed.Runs.GetMonthIndexCompletedAsync(BillingMonth.Of(At("2027-01-15T00:00:00Z")), CancellationToken.None));
        }
        else
        {
            Assert.Equal([invalidField], Assert.IsType<Invalid<RunIndexBackfilled>>(outcome).Errors.Fields);
        }
    }

    [Fact]
    public async Task A_run_index_backfill_of_the_current_month_is_not_refused()
    {
        var outcome = await _runs.BackfillRunIndexAsync("2026-12", CancellationToken.None);

        Assert.Equal(Now, Assert.IsType<Succeeded<RunIndexBackfilled>>(outcome).Value.CompletedAt);
    }

    [Fact]
    public async Task The_current_month_queues_what_has_closed_and_reports_what_has_not()
    {
        var closed = Count(Period("2026-11-09T00:00:00Z", "2026-12-09T00:00:00Z"), 6_000);
        Count(Period("2026-11-20T00:00:00Z", "2026-12-20T00:00:00Z"), 6_000);

        var started = Assert.IsType<Succeeded<InvoicingRunStarted>>(await _runs.StartAsync(new InvoicingRunRequest("2026-12", false, null), CancellationToken.None)).Value;

        Assert.Equal(1, started.NotClosedYet);
        Assert.Equal(closed, Assert.Single(_bed.Jobs.Jobs).AccountId);
    }

    [Fact]
    public async Task A_dry_run_prices_each_period_as_its_job_would_and_writes_and_queues_nothing()
    {
        var over = Count(Period("2026-10-15T00:00:00Z", "2026-11-15T00:00:00Z"), 1_250); // PRO of the test catalog: 1,000 included, 3 per run beyond
        var within = Count(Period("2026-10-16T00:00:00Z", "2026-11-16T00:00:00Z"), 900);

        var started = Assert.IsType<Succeeded<InvoicingRunStarted>>(await _runs.StartAsync(new InvoicingRunRequest("2026-11", true, null), CancellationToken.None)).Value;

        Assert.Empty(_bed.Jobs.Messages);
        Assert.Empty(_bed.Runs.All);
        Assert.Empty(_bed.Stripe.Invoices);
        Assert.Equal(2, started.Charges.Count);
        Assert.Equal(750, started.Charges.Single(c => c.AccountId == over).Total.MinorUnits); // 250 x 3, worked out by hand
        Assert.True(started.Charges.Single(c => c.AccountId == within).IsZero);
    }

    [Fact]
    public async Task A_dry_run_of_the_current_month_prices_only_its_closed_periods_in_the_order_of_the_periods()
    {
        // Three periods of December: two closed (1,100 and 1,200 runs: 300 and 600), one closing on the 20th (1,300 runs).
        // The account first in order closes a day after the other: the closing days are read day by day.
        var first = Count(Period("2026-11-09T00:00:00Z", "2026-12-09T00:00:00Z"), 1_100, AccountId.Parse("user-a" + Guid.NewGuid().ToString("N")[..7]));
        var second = Count(Period("2026-11-08T00:00:00Z", "2026-12-08T00:00:00Z"), 1_200, AccountId.Parse("user-b" + Guid.NewGuid().ToString("N")[..7]));
        var open = Count(Period("2026-11-20T00:00:00Z", "2026-12-20T00:00:00Z"), 1_300);

        var started = Assert.IsType<Succeeded<InvoicingRunStarted>>(await _runs.StartAsync(new InvoicingRunRequest("2026-12", true, null), CancellationToken.None)).Value;

        Assert.Equal(1, started.NotClosedYet);
        var expected = new[] { (first, 300L), (second, 600L) };
        Assert.Equal(expected.Select(c => c.Item1), started.Periods.Select(p => p.AccountId));
        Assert.Equal(expected, started.Charges.Select(c => (c.AccountId, c.Total.MinorUnits)));
        Assert.DoesNotContain(started.Charges, c => c.AccountId == open);
        Assert.Empty(_bed.Jobs.Messages);
    }

    [Fact]
    public async Task One_account_queues_only_its_period()
    {
        var mine = Count(Period("2026-10-15T00:00:00Z", "2026-11-15T00:00:00Z"), 6_000);
        Count(Period("2026-10-15T00:00:00Z", "2026-11-15T00:00:00Z"), 6_000);
        await _bed.Usage.Accounts.GetOrCreateAsync(mine, CancellationToken.None);

        Assert.IsType<Succeeded<InvoicingRunStarted>>(await _runs.StartAsync(new InvoicingRunRequest("2026-11", false, mine.Value), CancellationToken.None));

        Assert.Equal(mine, Assert.Single(_bed.Jobs.Jobs).AccountId);
    }

    [Theory]
    [InlineData("2026-13", null, "period")]
    [InlineData("11-2026", null, "period")]
    [InlineData("\u0662\u0660\u0662\u0666-\u0661\u0661", null, "period")] // digits, but not ASCII ones
    [InlineData(null, null, "period")]
    [InlineData("2026-11\n", null, "period")] // a regular expression's $ would let a final line break through
    [InlineData("2026-11", "a/b", "accountId")]
    public async Task A_malformed_request_is_invalid_and_queues_nothing(string? period, string? account, string field)
    {
        var outcome = await _runs.StartAsync(new InvoicingRunRequest(period, false, account), CancellationToken.None);

        Assert.Contains(field, Assert.IsType<Invalid<InvoicingRunStarted>>(outcome).Errors.Fields);
        Assert.Empty(_bed.Jobs.Messages);
    }

    [Fact]
    public async Task A_month_that_has_not_begun_is_refused_as_not_closed()
    {
        var outcome = await _runs.StartAsync(new InvoicingRunRequest("2027-01", false, null), CancellationToken.None);

        Assert.Equal(RefusalReason.PeriodNotClosed, Assert.IsType<Refused<InvoicingRunStarted>>(outcome).Refusal.Reason);
    }

    [Fact]
    public async Task An_unknown_account_is_refused()
    {
        var outcome = await _runs.StartAsync(new InvoicingRunRequest("2026-11", false, "nobody"), CancellationToken.None);

        Assert.Equal(RefusalReason.AccountNotFound, Assert.IsType<Refused<InvoicingRunStarted>>(outcome).Refusal.Reason);
    }

    [Fact]
    public async Task An_account_whose_period_of_the_month_has_not_closed_is_refused_and_nothing_is_queued()
    {
        var id = Count(Period("2026-11-20T00:00:00Z", "2026-12-20T00:00:00Z"), 6_000);
        await _bed.Usage.Accounts.GetOrCreateAsync(id, CancellationToken.None);

        var outcome = await _runs.StartAsync(new InvoicingRunRequest("2026-12", false, id.Value), CancellationToken.None);

        Assert.Equal(RefusalReason.PeriodNotClosed, Assert.IsType<Refused<InvoicingRunStarted>>(outcome).Refusal.Reason);
        Assert.Empty(_bed.Jobs.Messages);
    }

    [Fact]
    public async Task An_account_with_a_closed_and_a_not_closed_period_of_the_month_queues_the_closed_one()
    {
        var id = Count(Period("2026-11-09T00:00:00Z", "2026-12-09T00:00:00Z"), 6_000);
        var open = Period("2026-12-09T00:00:00Z", "2026-12-20T00:00:00Z"); // a plan change ended the first on the 9th
        _bed.Ledger.Set(id, open, UsageTestBed.AgentRuns, 6_000, PlanCode.Parse("PRO"), 1_000);
        await _bed.Usage.Accounts.GetOrCreateAsync(id, CancellationToken.None);

        var started = Assert.IsType<Succeeded<InvoicingRunStarted>>(await _runs.StartAsync(new InvoicingRunRequest("2026-12", false, id.Value), CancellationToken.None)).Value;

        Assert.Equal((1, (DateTimeOffset?)At("2026-12-09T00:00:00Z")), (started.NotClosedYet, Assert.Single(_bed.Jobs.Jobs).PeriodEnd));
    }

    [Fact]
    public async Task An_account_without_a_period_of_the_month_queues_nothing_and_is_not_refused()
    {
        var id = Count(Period("2026-10-15T00:00:00Z", "2026-11-15T00:00:00Z"), 6_000); // November's
        await _bed.Usage.Accounts.GetOrCreateAsync(id, CancellationToken.None);

        var started = Assert.IsType<Succeeded<InvoicingRunStarted>>(await _runs.StartAsync(new InvoicingRunRequest("2026-12", false, id.Value), CancellationToken.None)).Value;

        Assert.Equal((0, 0), (started.Periods.Count, started.NotClosedYet));
        Assert.Empty(_bed.Jobs.Messages);
    }

    [Fact]
    public async Task A_month_run_with_no_period_closed_yet_is_not_refused_and_counts_them()
    {
        Count(Period("2026-11-20T00:00:00Z", "2026-12-20T00:00:00Z"), 6_000);

        var started = Assert.IsType<Succeeded<InvoicingRunStarted>>(await _runs.StartAsync(new InvoicingRunRequest("2026-12", false, null), CancellationToken.None)).Value;

        Assert.Equal((0, 1), (started.Periods.Count, started.NotClosedYet));
        Assert.Empty(_bed.Jobs.Messages);
    }

    [Fact]
    public async Task A_page_that_takes_the_last_runs_exactly_has_no_cursor()
    {
        for (var i = 0; i < 2; i++)
        {
            var period = Period("2026-10-15T00:00:00Z", "2026-11-15T00:00:00Z");
            _bed.Runs.Put(Run(Count(period, 6_000), period));
        }

        var page = Assert.IsType<Succeeded<InvoiceRunPage>>(await _runs.ListAsync("2026-11", null, null, 2, CancellationToken.None)).Value;

        Assert.Equal((2, null), (page.Runs.Count, page.NextCursor));
    }

    [Fact]
    public async Task One_accounts_listing_is_complete_though_the_months_run_index_is_not_marked()
    {
        // The account's own runs are read, not the month's run index: nothing is left out of its listing.
        var period = Period("2026-10-15T00:00:00Z", "2026-11-15T00:00:00Z");
        var account = Count(period, 6_000);
        _bed.Runs.Put(Run(account, period));

        var all = Assert.IsType<Succeeded<InvoiceRunPage>>(await _runs.ListAsync("2026-11", null, null, 10, CancellationToken.None)).Value;
        var own = Assert.IsType<Succeeded<InvoiceRunPage>>(await _runs.ListAsync("2026-11", account.Value, null, 10, CancellationToken.None)).Value;

        Assert.False(all.Complete);
        Assert.Equal([$"{account.Value}:{period.Key.Value}"], own.Runs.Select(r => r.RunId));
        Assert.True(own.Complete, "an account's listing was answered as incomplete");
    }

    [Fact]
    public async Task The_runs_of_a_month_come_a_page_at_a_time_until_the_cursor_runs_out()
    {
        for (var i = 0; i < 5; i++)
        {
            var period = Period("2026-10-15T00:00:00Z", "2026-11-15T00:00:00Z");
            var id = Count(period, 6_000);
            _bed.Runs.Put(Run(id, period));
        }

        var december = Period("2026-11-15T00:00:00Z", "2026-12-05T00:00:00Z");
        _bed.Runs.Put(Run(Count(december, 6_000), december));

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = Assert.IsType<Succeeded<InvoiceRunPage>>(await _runs.ListAsync("2026-11", null, cursor, 2, CancellationToken.None)).Value;
            seen.AddRange(page.Runs.Select(r => r.RunId));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(5, seen.Distinct().Count());
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task A_cursor_goes_with_the_month_and_account_of_its_page()
    {
        for (var i = 0; i < 3; i++)
        {
            var period = Period("2026-10-15T00:00:00Z", "2026-11-15T00:00:00Z");
            _bed.Runs.Put(Run(Count(period, 6_000), period));
        }

        var first = Assert.IsType<Succeeded<InvoiceRunPage>>(await _runs.ListAsync("2026-11", null, null, 1, CancellationToken.None)).Value;
        var account = first.Runs[0].AccountId.Value;

        foreach (var (period, accountId) in new[] { ("2026-10", (string?)null), ("2026-11", account) })
        {
            var errors = Assert.IsType<Invalid<InvoiceRunPage>>(await _runs.ListAsync(period, accountId, first.NextCursor, 1, CancellationToken.None)).Errors;
            Assert.Equal(["cursor"], errors.Fields);
            Assert.Contains("other filters", Assert.Single(errors.For("cursor")), StringComparison.Ordinal);
        }

        Assert.IsType<Succeeded<InvoiceRunPage>>(await _runs.ListAsync("2026-11", null, first.NextCursor, 1, CancellationToken.None));
    }

    [Theory]
    [InlineData("2026-11", null, "not a cursor", null, "cursor")]
    [InlineData("2026-11", null, null, 0, "limit")]
    [InlineData("2026-11", null, null, 501, "limit")]
    [InlineData("2026", null, null, null, "period")]
    [InlineData("2026-11\n", null, null, null, "period")]
    public async Task A_malformed_listing_is_invalid(string? period, string? account, string? cursor, int? limit, string field)
    {
        var outcome = await _runs.ListAsync(period, account, cursor, limit, CancellationToken.None);

        Assert.Contains(field, Assert.IsType<Invalid<InvoiceRunPage>>(outcome).Errors.Fields);
    }

    [Fact]
    public async Task A_run_is_found_by_its_id_and_by_its_stripe_invoice_and_an_unknown_one_is_refused_as_not_found()
    {
        var period = Period("2026-10-15T00:00:00Z", "2026-11-15T00:00:00Z");
        var id = Count(period, 6_000);
        var stored = _bed.Runs.Put(Run(id, period) with { StripeInvoiceId = "in_123abc", Step = InvoiceRunStep.Recorded });

        Assert.Equal(stored, Assert.IsType<Succeeded<InvoiceRun>>(await _runs.FindAsync(stored.RunId, CancellationToken.None)).Value);
        Assert.Equal(stored, Assert.IsType<Succeeded<InvoiceRun>>(await _runs.FindAsync("in_123abc", CancellationToken.None)).Value);
        var unknownInvoice = Assert.IsType<Refused<InvoiceRun>>(await _runs.FindAsync("in_other", CancellationToken.None)).Refusal;
        var unknownRun = Assert.IsType<Refused<InvoiceRun>>(await _runs.FindAsync("nobody:month-2026-11", CancellationToken.None)).Refusal;
        Assert.Equal((RefusalReason.InvoiceRunNotFound, "No invoice run has the id or Stripe invoice 'in_other'."), (unknownInvoice.Reason, unknownInvoice.Detail));
        Assert.Equal((RefusalReason.InvoiceRunNotFound, "No invoice run has the id or Stripe invoice 'nobody:month-2026-11'."), (unknownRun.Reason, unknownRun.Detail));
        Assert.IsType<Invalid<InvoiceRun>>(await _runs.FindAsync("neither", CancellationToken.None));
    }

    [Theory]
    [InlineData("2026-11-01T00:00:00Z", false)]
    [InlineData("2026-11-01T00:00:00.0000001Z", true)]
    [InlineData("2026-12-01T00:00:00Z", true)]
    [InlineData("2026-12-01T00:00:00.0000001Z", false)]
    public void A_month_takes_the_periods_whose_last_instant_falls_in_it(string end, bool inNovember)
    {
        Assert.True(BillingMonth.TryParse("2026-11", out var november));
        Assert.Equal(inNovember, november.Contains(At(end)));
    }

    private AccountId Count(UsagePeriod period, long agentRuns, AccountId? account = null)
    {
        var id = account ?? UsageTestBed.NewAccountId();
        _bed.Ledger.Set(id, period, UsageTestBed.AgentRuns, agentRuns, PlanCode.Parse("PRO"), 1_000);
        return id;
    }

    private static InvoiceRun Run(AccountId id, UsagePeriod period) => new()
    {
        AccountId = id,
        PeriodKey = period.Key,
        PeriodStart = period.Start,
        PeriodEnd = period.End,
        Plan = PlanCode.Parse("PRO"),
        Currency = Billing.Domain.Pricing.Currency.Parse("usd"),
        Lines = [],
        Step = InvoiceRunStep.NothingToBill,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static UsagePeriod Period(string start, string end) => UsagePeriod.SubscriptionPeriod(At(start), At(end));
}
