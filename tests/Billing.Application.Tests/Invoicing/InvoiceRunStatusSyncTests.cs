using Billing.Application.Invoicing;
using Billing.Application.Tests.Fakes;

namespace Billing.Application.Tests.Invoicing;

/// <summary>A usage invoice paid (or voided) in Stripe after its run recorded it: the run takes Stripe's new status.</summary>
public sealed class InvoiceRunStatusSyncTests
{
    private readonly InvoicingTestBed _bed = new();

    [Fact]
    public async Task A_paid_usage_invoice_is_recorded_as_paid_once_and_listed_so()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var run = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal("open", run!.Status);
        var invoiceId = run.StripeInvoiceId!;

        _bed.Stripe.SetStatus(invoiceId, "paid");

        Assert.True(await _bed.StatusSync.RefreshAsync(invoiceId, CancellationToken.None));
        Assert.False(await _bed.StatusSync.RefreshAsync(invoiceId, CancellationToken.None)); // nothing new: no write
        var listed = Assert.Single(await _bed.Invoices.ListAsync(subscriber.Id, CancellationToken.None));
        Assert.Equal("paid", listed.Status);
        Assert.Equal(run.Lines, (await _bed.Runs.GetAsync(subscriber.Id, subscriber.Period.Key, CancellationToken.None))!.Lines);
    }

    [Fact]
    public async Task An_invoice_no_run_created_changes_nothing()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.DeliverAsync(subscriber.Job);
        var writes = _bed.Runs.History.Count;

        Assert.False(await _bed.StatusSync.RefreshAsync("in_not_a_usage_invoice", CancellationToken.None));

        Assert.Equal(writes, _bed.Runs.History.Count);
    }

    [Fact]
    public async Task A_run_its_job_has_not_finished_is_left_to_the_job()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Options.FailOnceAt = ["Finalized"];
        await Assert.ThrowsAnyAsync<Exception>(() => _bed.DeliverAsync(subscriber.Job));
        var run = await _bed.Runs.GetAsync(subscriber.Id, subscriber.Period.Key, CancellationToken.None);
        Assert.Equal(InvoiceRunStep.Finalized, run!.Step);
        _bed.Stripe.SetStatus(run.StripeInvoiceId!, "paid");

        Assert.False(await _bed.StatusSync.RefreshAsync(run.StripeInvoiceId!, CancellationToken.None));

        // The job finishes and records what Stripe has then.
        var done = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal((InvoiceRunStep.Recorded, "paid"), (done!.Step, done.Status));
    }
}
