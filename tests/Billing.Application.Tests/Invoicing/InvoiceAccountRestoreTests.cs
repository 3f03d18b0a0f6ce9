using Billing.Application.Invoicing;
using Billing.Application.Tests.Fakes;

namespace Billing.Application.Tests.Invoicing;

/// <summary>
/// Cosmos DB restored to a point before a period was invoiced while Stripe kept everything since (docs/deploy.md,
/// "After a restore"): the period reads not invoiced and its job runs again, as a new run.
/// </summary>
public sealed class InvoiceAccountRestoreTests
{
    private readonly InvoicingTestBed _bed = new();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_period_invoiced_after_the_restore_point_is_recorded_with_its_invoice_not_billed_again(bool keysForgotten)
    {
        // Invoiced as soon as it had settled: the earlier invoice was created minutes after the period's end
        var subscriber = await _bed.SubscribeProAsync();
        _bed.Close(subscriber.Period, after: _bed.Options.SettleTime + TimeSpan.FromMinutes(1));
        var restore = _bed.BackUp();
        await _bed.DeliverAsync(subscriber.Job);
        var invoice = _bed.AssertInvoicedOnce(subscriber);

        restore();
        _bed.Time.Advance(TimeSpan.FromHours(25));
        if (keysForgotten)
        {
            _bed.Stripe.ForgetIdempotencyKeys();
        }

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal(invoice.Id, _bed.AssertInvoicedOnce(subscriber).Id);
        Assert.Equal((InvoiceRunStep.Recorded, invoice.Id, invoice.Number, "open", invoice.Total), (run?.Step, run?.StripeInvoiceId, run?.Number, run?.Status, run?.Total));
        await _bed.AssertRecordedAsync(subscriber, invoice); // its lines name the invoice's items, as the admin view shows them
    }

    [Fact]
    public async Task An_invoice_Stripe_stamped_before_the_period_s_end_by_a_clock_behind_ours_is_found_after_the_restore_point()
    {
        // Invoiced the second the period closed (no settle time) by a Stripe whose clock runs seconds behind ours: by
        // Stripe's clock, the earlier invoice was created before the period ended
        _bed.Options.SettleTime = TimeSpan.Zero;
        _bed.Stripe.ClockBehind = TimeSpan.FromSeconds(5);
        var subscriber = await _bed.SubscribeProAsync();
        _bed.Close(subscriber.Period, after: TimeSpan.FromSeconds(1));
        var restore = _bed.BackUp();
        await _bed.DeliverAsync(subscriber.Job);
        var invoice = _bed.AssertInvoicedOnce(subscriber);

        restore();
        _bed.Time.Advance(TimeSpan.FromHours(25));
        _bed.Stripe.ForgetIdempotencyKeys();
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal(invoice.Id, _bed.AssertInvoicedOnce(subscriber).Id);
        Assert.Equal((InvoiceRunStep.Recorded, invoice.Id), (run?.Step, run?.StripeInvoiceId));
    }

    [Fact]
    public async Task A_finalized_invoice_found_after_the_restore_point_gives_the_run_its_credit_line()
    {
        var subscriber = await _bed.SubscribeProAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_pack", 1_000);
        _bed.Close(subscriber.Period, after: _bed.Options.SettleTime + TimeSpan.FromMinutes(1));
        var restore = _bed.BackUp();
        await _bed.DeliverAsync(subscriber.Job);
        var creditItem = Assert.Single(_bed.Stripe.ItemsFor(subscriber.Job.RunId), i => i.Metadata[FakeStripeInvoicing.MeterMetadata] == InvoiceRun.CreditLineKey);

        restore();
        _bed.Time.Advance(TimeSpan.FromHours(25));
        _bed.Stripe.ForgetIdempotencyKeys();
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, 1_000L, creditItem.Id), (run?.Step, run?.CreditApplied, run?.CreditItemId));
        Assert.Equal(["agent_runs", "tokens"], run?.Lines.Select(l => l.Meter.Value).Order());
        Assert.All(run!.Lines, l => Assert.Equal(_bed.Stripe.ItemsFor(run.RunId).Single(i => i.Metadata[FakeStripeInvoicing.MeterMetadata] == l.Meter.Value).Id, l.StripeItemId));
        Assert.Equal(3, _bed.Stripe.CallsOf(StripeInvoicingCall.AddItem)); // the first run's two lines and its credit line, none since
    }

    [Fact]
    public async Task A_draft_an_earlier_run_left_after_the_restore_point_takes_no_second_set_of_items()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var restore = _bed.BackUp();
        _bed.Options.FailOnceAt = [nameof(InvoiceRunStep.ItemsCreated)]; // the earlier run stops before finalizing its draft
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => _bed.DeliverAsync(subscriber.Job));

        restore();
        _bed.Options.FailOnceAt = [];
        _bed.Time.Advance(TimeSpan.FromHours(25));
        _bed.Stripe.ForgetIdempotencyKeys();
        var run = await _bed.DeliverAsync(subscriber.Job);

        // The draft's items are found by their metadata, not added again: the draft's total is the run's, and it is finalized
        var invoice = _bed.AssertInvoicedOnce(subscriber);
        await _bed.AssertRecordedAsync(subscriber, invoice);
        Assert.Equal(2, _bed.Stripe.CallsOf(StripeInvoicingCall.AddItem));
        Assert.Equal(InvoiceRunStep.Recorded, run?.Step);
    }
}
