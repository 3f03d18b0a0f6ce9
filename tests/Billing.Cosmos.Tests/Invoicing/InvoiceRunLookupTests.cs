using Billing.Application.Invoicing;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Metering;

namespace Billing.Cosmos.Tests.Invoicing;

/// <summary>
/// The operator's lookup of a run by its Stripe invoice (<c>GET /api/billing/admin/invoices/runs/in_...</c>), through the
/// real store, its queries counted at the Cosmos client.
/// </summary>
public sealed class InvoiceRunLookupTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    [Fact]
    public async Task A_run_is_found_by_its_stripe_invoice_without_a_query_across_the_accounts_partitions()
    {
        var (run, invoice) = await StoreRunAsync();
        using var store = new FaultyStore(fixture);

        var found = await store.InvoiceRuns.FindByStripeInvoiceAsync(invoice, CancellationToken.None);

        Assert.Equal((run.AccountId, run.PeriodKey, invoice), (found?.AccountId, found?.PeriodKey, found?.StripeInvoiceId));
        Assert.NotEmpty(store.Queries);
        Assert.All(store.Queries, q => Assert.False(string.IsNullOrEmpty(q.PartitionKey), "a query across partitions"));
    }

    [Fact]
    public async Task A_run_whose_index_entry_was_never_written_is_still_found_by_its_stripe_invoice()
    {
        var (run, invoice) = await StoreRunAsync();
        await fixture.Containers.Accounts.DeleteItemStreamAsync($"invoice-entry:{run.AccountId.Value}:{run.PeriodKey.Value}", new Microsoft.Azure.Cosmos.PartitionKey("/admin/invoices"));

        var found = await fixture.Get<IInvoiceRunStore>().FindByStripeInvoiceAsync(invoice, CancellationToken.None);

        Assert.Equal((run.AccountId, run.PeriodKey), (found?.AccountId, found?.PeriodKey));
        Assert.Null(await fixture.Get<IInvoiceRunStore>().FindByStripeInvoiceAsync(Ids.NewStripe("in"), CancellationToken.None));
    }

    private async Task<(InvoiceRun Run, string Invoice)> StoreRunAsync()
    {
        var account = Ids.NewAccount("lookup");
        var period = UsagePeriod.CalendarMonth(new DateTimeOffset(2044, 3, 10, 0, 0, 0, TimeSpan.Zero));
        var invoice = Ids.NewStripe("in");
        var run = await fixture.Get<IInvoiceRunStore>().CreateAsync(
            Stored.Run(account, period, InvoiceRunStep.Finalized, plan: "PRO") with { StripeCustomerId = Ids.NewStripe("cus"), StripeInvoiceId = invoice, Status = "open" },
            CancellationToken.None);
        return (run, invoice);
    }
}
