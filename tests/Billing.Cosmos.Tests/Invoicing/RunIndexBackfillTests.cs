using Billing.Application.Accounts;
using Billing.Application.Invoicing;
using Billing.Application.Outcomes;
using Billing.Application.Usage;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.TestSupport;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Cosmos.Tests.Invoicing;

/// <summary>
/// The operator's listing of a month's runs on an installation upgraded from a version before the month's run index:
/// runs created then have no entry in it. Through the real store, its queries counted at the Cosmos client.
/// </summary>
public sealed class RunIndexBackfillTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    [Fact]
    public async Task A_month_with_runs_from_before_the_run_index_is_listed_as_incomplete_until_its_backfill_names_them_all_without_a_query_across_partitions()
    {
        // May 2047 (a month no other test uses): four accounts' runs created before the index (two of them invoiced, so
        // their closing-day entries are marked), one created since, a period with usage and no run, a calendar period
        // ending 1 June 00:00 (May's) from before the index, and a June run from before it that May's backfill leaves.
        var ledger = fixture.Get<IUsageLedger>();
        var store = fixture.Get<IInvoiceRunStore>();
        var may = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2047, 4, 14, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2047, 5, 14, 9, 0, 0, TimeSpan.Zero));
        var calendarMay = UsagePeriod.CalendarMonth(new DateTimeOffset(2047, 5, 20, 0, 0, 0, TimeSpan.Zero));
        var june = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2047, 5, 1, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2047, 6, 1, 9, 0, 0, TimeSpan.Zero));
        var before = new List<InvoiceRun>();
        for (var i = 0; i < 4; i++)
        {
            before.Add(await CreateAsync(Ids.NewAccount("old"), may, i < 2 ? InvoiceRunStep.Recorded : InvoiceRunStep.NothingToBill, invoiced: i < 2));
        }

        before.Add(await CreateAsync(Ids.NewAccount("old"), calendarMay, InvoiceRunStep.Computed, invoiced: false));
        var juneRun = await CreateAsync(Ids.NewAccount("old"), june, InvoiceRunStep.NothingToBill, invoiced: true);
        foreach (var run in before.Append(juneRun))
        {
            await ForgetEntryAsync(run); // the state an upgrade leaves: the run without its entry
        }

        var since = await CreateAsync(Ids.NewAccount("new"), may, InvoiceRunStep.Recorded, invoiced: true);
        await Stored.CountOneAsync(ledger, Ids.NewAccount("norun"), may);

        using var faulty = new FaultyStore(fixture);
        var time = new FakeTimeProvider(new DateTimeOffset(2047, 6, 20, 0, 0, 0, TimeSpan.Zero));
        var options = Microsoft.Extensions.Options.Options.Create(new InvoicingOptions());
        var sweep = new InvoicingSweep(faulty.UsageLedger, new NoJobs(), fixture.Get<IInvoicingSweepMarkStore>(), fixture.Get<IInvoiceRunStore>(), options, time, NullLogger<InvoicingSweep>.Instance);
        var runs = new InvoicingRuns(sweep, faulty.UsageLedger, faulty.InvoiceRuns, fixture.Get<IBillingAccountStore>(), TestCatalog.Create(), options, time, NullLogger<InvoicingRuns>.Instance);

        // Before the backfill: only the run created since the index is listed, and the answer says the month is not complete.
        var first = Assert.IsType<Succeeded<InvoiceRunPage>>(await runs.ListAsync("2047-05", null, null, 100, CancellationToken.None)).Value;
        Assert.Equal([since.RunId], first.Runs.Select(r => r.RunId));
        Assert.False(first.Complete, "a month whose runs before the index are not listed was answered as complete");

        var backfilled = Assert.IsType<Succeeded<RunIndexBackfilled>>(await runs.BackfillRunIndexAsync("2047-05", CancellationToken.None)).Value;
        Assert.Equal((7, 6, 5, (DateTimeOffset?)time.GetUtcNow()), (backfilled.PeriodsRead, backfilled.RunsFound, backfilled.EntriesWritten, backfilled.CompletedAt));

        var listed = new List<string>();
        string? cursor = null;
        do
        {
            var page = Assert.IsType<Succeeded<InvoiceRunPage>>(await runs.ListAsync("2047-05", null, cursor, 2, CancellationToken.None)).Value;
            Assert.True(page.Complete);
            listed.AddRange(page.Runs.Select(r => r.RunId));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(before.Append(since).Select(r => r.RunId).Order(StringComparer.Ordinal), listed);
        Assert.Null(await RawDocuments.ReadAsync(fixture.Containers.Accounts, DocumentIds.RunEntry(juneRun.AccountId, juneRun.PeriodKey), DocumentIds.RunIndexPartition("2047-06")));
        Assert.NotEmpty(faulty.Queries);
        Assert.All(faulty.Queries, q => Assert.False(string.IsNullOrEmpty(q.PartitionKey), "a query across partitions"));

        // Again, later: nothing is written, the entries and the mark stay as the first backfill wrote them.
        var written = await EtagsAsync(before.Append(since));
        time.Advance(TimeSpan.FromDays(3));
        var again = Assert.IsType<Succeeded<RunIndexBackfilled>>(await runs.BackfillRunIndexAsync("2047-05", CancellationToken.None)).Value;
        Assert.Equal((7, 6, 0, backfilled.CompletedAt), (again.PeriodsRead, again.RunsFound, again.EntriesWritten, again.CompletedAt));
        Assert.Equal(written, await EtagsAsync(before.Append(since)));
    }

    [Fact]
    public async Task A_month_older_than_the_closing_day_index_keeps_its_invoiced_periods_is_backfilled_but_not_marked_complete()
    {
        var account = Ids.NewAccount("aged");
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2048, 1, 3, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2048, 2, 3, 9, 0, 0, TimeSpan.Zero));
        var run = await CreateAsync(account, period, InvoiceRunStep.Recorded, invoiced: true);
        await ForgetEntryAsync(run);
        var time = new FakeTimeProvider(new DateTimeOffset(2048, 2, 1, 0, 0, 0, TimeSpan.Zero).AddDays(InvoicingOptions.MaxLookbackDays + 1));
        var (_, runs) = Operator(time);

        var backfilled = Assert.IsType<Succeeded<RunIndexBackfilled>>(await runs.BackfillRunIndexAsync("2048-02", CancellationToken.None)).Value;

        // The entry still there (its retention is the store's, not the clock's) is named; the month is not called complete.
        Assert.Equal((1, 1, (DateTimeOffset?)null), (backfilled.RunsFound, backfilled.EntriesWritten, backfilled.CompletedAt));
        var page = Assert.IsType<Succeeded<InvoiceRunPage>>(await runs.ListAsync("2048-02", null, null, 10, CancellationToken.None)).Value;
        Assert.Equal([run.RunId], page.Runs.Select(r => r.RunId));
        Assert.False(page.Complete);
    }

    [Fact]
    public async Task A_month_begun_exactly_as_long_ago_as_the_closing_day_index_keeps_an_entry_is_marked_complete()
    {
        // An entry of the month is marked invoiced after its period ended, after the month began: at the month's start
        // plus the retention every entry of the month is still there, so the backfill there still names them all.
        var account = Ids.NewAccount("edge");
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2049, 1, 3, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2049, 2, 3, 9, 0, 0, TimeSpan.Zero));
        var run = await CreateAsync(account, period, InvoiceRunStep.Recorded, invoiced: true);
        await ForgetEntryAsync(run);
        var time = new FakeTimeProvider(new DateTimeOffset(2049, 2, 1, 0, 0, 0, TimeSpan.Zero).AddDays(InvoicingOptions.MaxLookbackDays));
        var (_, runs) = Operator(time);

        var backfilled = Assert.IsType<Succeeded<RunIndexBackfilled>>(await runs.BackfillRunIndexAsync("2049-02", CancellationToken.None)).Value;

        Assert.Equal((1, 1, (DateTimeOffset?)time.GetUtcNow()), (backfilled.RunsFound, backfilled.EntriesWritten, backfilled.CompletedAt));
        var page = Assert.IsType<Succeeded<InvoiceRunPage>>(await runs.ListAsync("2049-02", null, null, 10, CancellationToken.None)).Value;
        Assert.Equal([run.RunId], page.Runs.Select(r => r.RunId));
        Assert.True(page.Complete);
    }

    [Fact]
    public async Task A_period_listed_on_two_closing_days_of_the_month_is_read_and_named_once()
    {
        // July 2051, a month no other test uses. A move of the period's end (Stripe moved it two days) that stopped after
        // the new day's entry and before the old one's delete leaves the period listed on both days.
        var account = Ids.NewAccount("twice");
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2051, 6, 10, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2051, 7, 10, 9, 0, 0, TimeSpan.Zero));
        var run = await CreateAsync(account, period, InvoiceRunStep.Recorded, invoiced: false);
        await ForgetEntryAsync(run);
        using var faulty = new FaultyStore(fixture);
        faulty.FailNext = (HttpMethod.Delete, DocumentIds.UsagePeriod(account, period.Key));
        await Assert.ThrowsAnyAsync<Exception>(() => faulty.UsageLedger.MovePeriodEndAsync(account, period.Key, PeriodEndMove.StillCurrent(period.End.AddDays(2), 2), CancellationToken.None));
        var time = new FakeTimeProvider(new DateTimeOffset(2051, 8, 5, 0, 0, 0, TimeSpan.Zero));
        var (_, runs) = Operator(time);

        var backfilled = Assert.IsType<Succeeded<RunIndexBackfilled>>(await runs.BackfillRunIndexAsync("2051-07", CancellationToken.None)).Value;

        Assert.Equal((1, 1, 1), (backfilled.PeriodsRead, backfilled.RunsFound, backfilled.EntriesWritten));
    }

    /// <summary>
    /// The invoicing timer's run a day or more before a month begins marks the month's run index complete: the month's
    /// runs are all created after it began, by a version that names them, so it is listed complete with no backfill. Not
    /// the month the run fell in (a version before the index may have created its runs), nor a month that began less
    /// than a day after the timer's last run (an instance of such a version may still run while a deploy rolls out).
    /// </summary>
    [Fact]
    public async Task A_month_the_invoicing_timer_ran_a_day_before_is_listed_complete_without_a_backfill()
    {
        // October 2045, a month no other test uses.
        var time = new FakeTimeProvider(new DateTimeOffset(2045, 9, 29, 2, 0, 0, TimeSpan.Zero));
        var (sweep, runs) = Operator(time);

        await sweep.RunAsync(CancellationToken.None);
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2045, 9, 14, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2045, 10, 14, 9, 0, 0, TimeSpan.Zero));
        var october = await CreateAsync(Ids.NewAccount("oct"), period, InvoiceRunStep.Recorded, invoiced: true);
        time.SetUtcNow(new DateTimeOffset(2045, 10, 31, 2, 0, 0, TimeSpan.Zero)); // 22 hours before November
        await sweep.RunAsync(CancellationToken.None);
        time.SetUtcNow(new DateTimeOffset(2045, 11, 20, 0, 0, 0, TimeSpan.Zero));

        var page = Assert.IsType<Succeeded<InvoiceRunPage>>(await runs.ListAsync("2045-10", null, null, 10, CancellationToken.None)).Value;
        Assert.Equal([october.RunId], page.Runs.Select(r => r.RunId));
        Assert.True(page.Complete, "a month the timer marked a day before it began was answered as incomplete");
        Assert.False(Assert.IsType<Succeeded<InvoiceRunPage>>(await runs.ListAsync("2045-09", null, null, 10, CancellationToken.None)).Value.Complete);
        Assert.False(Assert.IsType<Succeeded<InvoiceRunPage>>(await runs.ListAsync("2045-11", null, null, 10, CancellationToken.None)).Value.Complete);
        var backfilled = Assert.IsType<Succeeded<RunIndexBackfilled>>(await runs.BackfillRunIndexAsync("2045-10", CancellationToken.None)).Value;
        Assert.Equal((1, 0, (DateTimeOffset?)new DateTimeOffset(2045, 9, 29, 2, 0, 0, TimeSpan.Zero)), (backfilled.RunsFound, backfilled.EntriesWritten, backfilled.CompletedAt));
    }

    /// <summary>The timer's sweep and the operator's runs over the fixture's stores, on <paramref name="time"/>.</summary>
    private (InvoicingSweep Sweep, InvoicingRuns Runs) Operator(TimeProvider time)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new InvoicingOptions());
        var sweep = new InvoicingSweep(fixture.Get<IUsageLedger>(), new NoJobs(), fixture.Get<IInvoicingSweepMarkStore>(), fixture.Get<IInvoiceRunStore>(), options, time, NullLogger<InvoicingSweep>.Instance);
        return (sweep, new InvoicingRuns(sweep, fixture.Get<IUsageLedger>(), fixture.Get<IInvoiceRunStore>(), fixture.Get<IBillingAccountStore>(), TestCatalog.Create(), options, time, NullLogger<InvoicingRuns>.Instance));
    }

    /// <summary>The period's first count (its closing-day entry), its run, and the entry marked invoiced when the run invoiced it.</summary>
    private async Task<InvoiceRun> CreateAsync(AccountId account, UsagePeriod period, InvoiceRunStep step, bool invoiced)
    {
        var ledger = fixture.Get<IUsageLedger>();
        await Stored.CountOneAsync(ledger, account, period);
        var run = await fixture.Get<IInvoiceRunStore>().CreateAsync(Stored.Run(account, period, step), CancellationToken.None);
        if (invoiced)
        {
            await ledger.MarkPeriodInvoicedAsync(account, period.Key, period.End, CancellationToken.None);
        }

        return run;
    }

    private async Task ForgetEntryAsync(InvoiceRun run)
    {
        using var deleted = await fixture.Containers.Accounts.DeleteItemStreamAsync(
            DocumentIds.RunEntry(run.AccountId, run.PeriodKey), new PartitionKey(DocumentIds.RunIndexPartition(BillingMonth.Of(run.PeriodEnd).ToString())));
        Assert.True(deleted.IsSuccessStatusCode, $"the entry of {run.RunId}: {deleted.StatusCode}");
    }

    private async Task<List<string?>> EtagsAsync(IEnumerable<InvoiceRun> named)
    {
        var etags = new List<string?>();
        foreach (var run in named)
        {
            etags.Add((await RawDocuments.ReadAsync(fixture.Containers.Accounts, DocumentIds.RunEntry(run.AccountId, run.PeriodKey), DocumentIds.RunIndexPartition("2047-05")))?["_etag"]?.ToString());
        }

        etags.Add((await RawDocuments.ReadAsync(fixture.Containers.Accounts, DocumentIds.RunIndexCompleted, DocumentIds.RunIndexPartition("2047-05")))?["_etag"]?.ToString());
        Assert.DoesNotContain(null, etags);
        return etags;
    }

    private sealed class NoJobs : IInvoiceJobs
    {
        public Task EnqueueAsync(InvoiceJob job, CancellationToken cancellationToken) => throw new InvalidOperationException("The backfill queues nothing.");
    }
}
