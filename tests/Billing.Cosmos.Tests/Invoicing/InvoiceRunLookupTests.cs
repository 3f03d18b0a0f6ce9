using Billing.Application;
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

    [Fact]
    public async Task A_stripe_invoice_whose_index_entry_still_names_a_run_that_moved_on_to_another_invoice_finds_no_run()
    {
        // The run's draft was deleted and a new one created; the save of the new invoice id stored the run, but the
        // index entry's replace failed, so the entry still names the run under the old invoice.
        var (run, old) = await StoreRunAsync();
        using var store = new FaultyStore(fixture);
        var current = Ids.NewStripe("in");
        store.FailNext = (HttpMethod.Put, "invoice-entry");
        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => store.InvoiceRuns.SaveAsync(run with { StripeInvoiceId = current, Status = "draft" }, CancellationToken.None));

        Assert.Null(await store.InvoiceRuns.FindByStripeInvoiceAsync(old, CancellationToken.None));
        var found = await store.InvoiceRuns.FindByStripeInvoiceAsync(current, CancellationToken.None);
        Assert.Equal((run.AccountId, run.PeriodKey), (found?.AccountId, found?.PeriodKey));
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
