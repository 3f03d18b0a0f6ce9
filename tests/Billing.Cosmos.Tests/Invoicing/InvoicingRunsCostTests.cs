using Billing.Application.Accounts;
using Billing.Application.Invoicing;
using Billing.Application.Outcomes;
using Billing.Application.Usage;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Cosmos.Tests.Invoicing;

/// <summary>What the operator's invoicing run reads through the real store, counted at the Cosmos client.</summary>
public sealed class InvoicingRunsCostTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    [Fact]
    public async Task A_run_for_one_account_reads_that_accounts_closing_day_entries_and_none_of_the_other_accounts()
    {
        // Forty other accounts whose periods close on the same days of March 2041 as the account's (a month no other
        // test of this class uses): a run for the account must not read their entries, however many there are.
        var mine = Ids.NewAccount("mine");
        var others = Enumerable.Range(0, 40).Select(_ => Ids.NewAccount("other")).ToList();
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2041, 2, 12, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2041, 3, 12, 9, 0, 0, TimeSpan.Zero));
        var calendar = UsagePeriod.CalendarMonth(new DateTimeOffset(2041, 3, 20, 0, 0, 0, TimeSpan.Zero)); // ends 1 April 00:00: March's
        var ledger = fixture.Get<IUsageLedger>();
        await Task.WhenAll(others.Append(mine).SelectMany(account => new[] { period, calendar }.Select(p => Stored.CountOneAsync(ledger, account, p))));
        await fixture.Get<IBillingAccountStore>().GetOrCreateAsync(mine, CancellationToken.None);
        using var store = new FaultyStore(fixture);
        var time = new FakeTimeProvider(new DateTimeOffset(2041, 4, 20, 0, 0, 0, TimeSpan.Zero));
        var options = Microsoft.Extensions.Options.Options.Create(new InvoicingOptions());
        var sweep = new InvoicingSweep(store.UsageLedger, new NoJobs(), fixture.Get<IInvoicingSweepMarkStore>(), fixture.Get<IInvoiceRunStore>(), options, time, NullLogger<InvoicingSweep>.Instance);
        var runs = new InvoicingRuns(sweep, store.UsageLedger, store.InvoiceRuns, fixture.Get<IBillingAccountStore>(), TestCatalog.Create(), options, time, NullLogger<InvoicingRuns>.Instance);

        var started = Assert.IsType<Succeeded<InvoicingRunStarted>>(await runs.StartAsync(new InvoicingRunRequest("2041-03", DryRun: true, mine.Value), CancellationToken.None)).Value;

        Assert.Equal([calendar.Key, period.Key], started.Periods.Select(p => p.PeriodKey).OrderBy(k => k.Value, StringComparer.Ordinal));
        Assert.All(started.Periods, p => Assert.Equal(mine, p.AccountId));
        var index = store.Queries.Where(q => q.PartitionKey?.Contains("/usage-periods/", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(2, index.Sum(q => q.Documents)); // the account's two entries, none of the eighty others
        Assert.True(index.Count <= 2 * 32, $"{index.Count} queries of the closing-day index: more than the account's partition and the unbucketed one of each day of the month");
    }

    private sealed class NoJobs : IInvoiceJobs
    {
        public Task EnqueueAsync(InvoiceJob job, CancellationToken cancellationToken) => throw new InvalidOperationException("A dry run queues nothing.");
    }
}
