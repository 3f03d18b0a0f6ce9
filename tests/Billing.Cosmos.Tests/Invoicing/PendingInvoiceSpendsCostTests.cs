using Billing.Application.Invoicing;
using Billing.Application.Usage;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Cosmos.Tests.Invoicing;

/// <summary>
/// What asking which invoices may still spend an account's credit costs through the real store, counted at the Cosmos
/// client: every touch of a credit book with an expired grant asks it, over the grant's whole life (a year for a pack
/// that lasts a year), <c>GET /api/billing/credits</c> included.
/// </summary>
public sealed class PendingInvoiceSpendsCostTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    [Fact]
    public async Task The_periods_of_a_window_and_their_runs_are_read_with_the_same_requests_for_a_month_as_for_three_years()
    {
        var month = await RequestsForAsync(months: 1);
        var threeYears = await RequestsForAsync(months: 36);

        Assert.Equal(month.Owed, threeYears.Owed); // the last period's run has not spent yet; every other one has
        Assert.Equal(month.Requests, threeYears.Requests);
    }

    /// <summary>An account with a period a month over <paramref name="months"/> months, each invoiced but the last (its run still at Computed).</summary>
    private async Task<(int Requests, int Owed)> RequestsForAsync(int months)
    {
        var account = Ids.NewAccount($"history-{months}");
        var first = new DateTimeOffset(2043, 1, 10, 0, 0, 0, TimeSpan.Zero);
        var ledger = fixture.Get<IUsageLedger>();
        var runs = fixture.Get<IInvoiceRunStore>();
        for (var m = 0; m < months; m++)
        {
            var period = UsagePeriod.CalendarMonth(first.AddMonths(m));
            await Stored.CountOneAsync(ledger, account, period);
            await runs.CreateAsync(Stored.Run(account, period, m == months - 1 ? InvoiceRunStep.Computed : InvoiceRunStep.NothingToBill), CancellationToken.None);
        }

        using var store = new FaultyStore(fixture);
        var pending = new PendingInvoiceSpends(store.UsageLedger, store.InvoiceRuns);

        var owed = await pending.ListInvoicesAsync(account, first.AddMonths(-1), first.AddMonths(months + 1), CancellationToken.None);

        Assert.Equal(UsagePeriod.CalendarMonth(first.AddMonths(months - 1)).Key, Assert.Single(owed).Counters.Period.Key);
        return (store.Sent, owed.Count);
    }
}
