using Billing.Application.Invoicing;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Cosmos.Tests.Invoicing;

/// <summary>
/// The operator's listing of a month's runs of every account (<c>GET /api/billing/admin/invoices/runs?period=</c>
/// without <c>accountId</c>), through the real store, its queries counted at the Cosmos client.
/// </summary>
public sealed class InvoiceRunMonthListingTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private static readonly BillingMonth March = Month("2046-03");

    [Fact]
    public async Task The_runs_of_a_month_of_every_account_come_page_by_page_in_run_id_order_without_a_query_across_the_accounts_partitions()
    {
        // Six accounts' runs of March 2046 at every step (those without an invoice too), a run of February and one of
        // April: the month is the periods whose end falls in it (a calendar month ends at the next one's first instant).
        var store = fixture.Get<IInvoiceRunStore>();
        var march = new List<InvoiceRun>();
        foreach (var step in new[] { InvoiceRunStep.Computed, InvoiceRunStep.NothingToBill, InvoiceRunStep.DraftCreated, InvoiceRunStep.Finalized, InvoiceRunStep.Recorded, InvoiceRunStep.NothingToBill })
        {
            var account = Ids.NewAccount("month");
            var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2046, 2, 12, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2046, 3, 12, 9, 0, 0, TimeSpan.Zero));
            march.Add(await store.CreateAsync(Stored.Run(account, period, step) with { StripeInvoiceId = step is InvoiceRunStep.Computed or InvoiceRunStep.NothingToBill ? null : Ids.NewStripe("in") }, CancellationToken.None));
            if (march.Count == 1)
            {
                await store.CreateAsync(Stored.Run(account, UsagePeriod.CalendarMonth(new DateTimeOffset(2046, 2, 20, 0, 0, 0, TimeSpan.Zero)), InvoiceRunStep.NothingToBill), CancellationToken.None); // ends 1 March 00:00: February's
                march.Add(await store.CreateAsync(Stored.Run(account, UsagePeriod.CalendarMonth(new DateTimeOffset(2046, 3, 20, 0, 0, 0, TimeSpan.Zero)), InvoiceRunStep.NothingToBill), CancellationToken.None)); // ends 1 April 00:00: March's
                await store.CreateAsync(Stored.Run(account, UsagePeriod.CalendarMonth(new DateTimeOffset(2046, 4, 20, 0, 0, 0, TimeSpan.Zero)), InvoiceRunStep.NothingToBill), CancellationToken.None);
            }
        }

        using var faulty = new FaultyStore(fixture);
        var listed = await ListPageByPageAsync(faulty, March, null, pageSize: 3, maxPages: march.Count + 1);

        Assert.Equal(march.Select(r => r.RunId).Order(StringComparer.Ordinal), listed);
        Assert.NotEmpty(faulty.Queries);
        Assert.All(faulty.Queries, q => Assert.False(string.IsNullOrEmpty(q.PartitionKey), "a query across partitions"));
    }

    [Fact]
    public async Task An_entry_of_the_months_index_whose_run_was_never_created_is_passed_over_and_the_page_filled_with_the_next_runs()
    {
        // The index names a run before it is created, so a job stopped in between leaves an entry without a run. Here it
        // comes first in id order: every page of one after it must still be full, or a caller stops at a short page.
        var store = fixture.Get<IInvoiceRunStore>();
        var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2047, 4, 3, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2047, 5, 3, 0, 0, 0, TimeSpan.Zero));
        Assert.True(await store.NameInMonthIndexAsync(Stored.Run(Ids.NewAccount("month-a"), period, InvoiceRunStep.Computed), CancellationToken.None));
        var created = new List<InvoiceRun>();
        for (var i = 0; i < 3; i++)
        {
            created.Add(await store.CreateAsync(Stored.Run(Ids.NewAccount("month-b"), period, InvoiceRunStep.NothingToBill), CancellationToken.None));
        }

        var listed = new List<string>();
        string? after = null;
        for (var pages = 0; pages <= created.Count; pages++)
        {
            var page = await store.ListOfMonthAsync(Month("2047-05"), null, after, 1, CancellationToken.None);
            listed.AddRange(page.Select(r => r.RunId));
            if (page.Count < 1)
            {
                break;
            }

            after = page[^1].RunId;
        }

        Assert.Equal(created.Select(r => r.RunId).Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task The_runs_of_a_month_of_one_account_come_page_by_page_in_run_id_order_from_its_partition_alone()
    {
        // GET /api/billing/admin/invoices/runs?period=2048-06&accountId=...: four runs of the account whose periods end in
        // June 2048 and its calendar month of June (ending at July's first instant), one of its runs ending in July, one
        // ending at June's first instant (May's), and another account's June run.
        var store = fixture.Get<IInvoiceRunStore>();
        var account = Ids.NewAccount("month-one");
        var other = Ids.NewAccount("month-one");
        var june = new List<InvoiceRun>();
        foreach (var (start, end) in new[] { (1, 5), (2, 12), (3, 20) })
        {
            var period = UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2048, 5, start, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2048, 6, end, 0, 0, 0, TimeSpan.Zero));
            june.Add(await store.CreateAsync(Stored.Run(account, period, InvoiceRunStep.NothingToBill), CancellationToken.None));
        }

        await store.CreateAsync(Stored.Run(account, UsagePeriod.CalendarMonth(new DateTimeOffset(2048, 5, 20, 0, 0, 0, TimeSpan.Zero)), InvoiceRunStep.NothingToBill), CancellationToken.None);
        june.Add(await store.CreateAsync(Stored.Run(account, UsagePeriod.CalendarMonth(new DateTimeOffset(2048, 6, 20, 0, 0, 0, TimeSpan.Zero)), InvoiceRunStep.NothingToBill), CancellationToken.None)); // ends at July's first instant: June's
        await store.CreateAsync(Stored.Run(account, UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2048, 6, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2048, 7, 20, 0, 0, 0, TimeSpan.Zero)), InvoiceRunStep.NothingToBill), CancellationToken.None);
        await store.CreateAsync(Stored.Run(other, UsagePeriod.SubscriptionPeriod(new DateTimeOffset(2048, 5, 4, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2048, 6, 4, 0, 0, 0, TimeSpan.Zero)), InvoiceRunStep.NothingToBill), CancellationToken.None);

        using var faulty = new FaultyStore(fixture);
        var listed = await ListPageByPageAsync(faulty, Month("2048-06"), account, pageSize: 2, maxPages: june.Count + 1);

        Assert.Equal(june.Select(r => r.RunId).Order(StringComparer.Ordinal), listed);
        Assert.NotEmpty(faulty.Queries);
        Assert.All(faulty.Queries, q => Assert.Equal($"[\"{account.Value}\"]", q.PartitionKey));
    }

    /// <summary>Every run id of the month's listing, each page asked after the last id of the one before, until a page is not full.</summary>
    private static async Task<List<string>> ListPageByPageAsync(FaultyStore faulty, BillingMonth month, AccountId? account, int pageSize, int maxPages)
    {
        var listed = new List<string>();
        string? after = null;
        for (var pages = 0; pages < maxPages; pages++)
        {
            var page = await faulty.InvoiceRuns.ListOfMonthAsync(month, account, after, pageSize, CancellationToken.None);
            listed.AddRange(page.Select(r => r.RunId));
            if (page.Count < pageSize)
            {
                break;
            }

            after = page[^1].RunId;
        }

        return listed;
    }

    private static BillingMonth Month(string text) => BillingMonth.TryParse(text, out var month) ? month : throw new ArgumentException(text, nameof(text));
}
