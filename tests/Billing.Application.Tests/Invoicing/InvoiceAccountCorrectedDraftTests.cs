using Billing.Application.Invoicing;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Credits;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Tests.Invoicing;

/// <summary>
/// A draft whose total differs from the run's (an item of 99 added in the dashboard) is never finalized by the job: it
/// waits for an operator. Once the operator has finalized it (and it is open, paid or uncollectible), Stripe's invoice
/// is the truth: the run is recorded with Stripe's status, number, link and total, whatever step it resumes at, and the
/// credit it spent stays spent (its line is the operator's to keep or change). Each case spends 2,000 of prepaid credit
/// on the 12,350 first, so the run computes 10,350 and Stripe bills 10,449.
/// </summary>
public sealed class InvoiceAccountCorrectedDraftTests
{
    private const long Credit = 2_000;
    private const long Computed = InvoicingTestBed.Total - Credit;
    private const long Billed = Computed + 99;
    private static readonly Currency Usd = Currency.Parse("usd");
    private readonly InvoicingTestBed _bed = new();

    [Fact]
    public async Task A_draft_an_operator_brought_to_the_total_before_credit_and_finalized_is_recorded_billing_that_total()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", Credit);
        var left = await _bed.RunLeftForAnOperatorAsync(subscriber); // its draft: Billed
        await _bed.Stripe.AddItemAsync(
            new NewUsageInvoiceItem("other", left.StripeInvoiceId!, subscriber.CustomerId, "other-2", Credit - 99, "usd", "credit taken back in the dashboard", subscriber.Period.Start, subscriber.Period.End),
            "dashboard-item-2",
            CancellationToken.None);
        await _bed.Stripe.FinalizeAsync(left.StripeInvoiceId!, "dashboard-finalize", CancellationToken.None);

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, InvoicingTestBed.Total, InvoicingTestBed.Total, Computed), (run!.Step, run.StripeTotal, run.AmountBilled, run.AmountDue));
    }

    [Theory]
    [InlineData("open")]
    [InlineData("paid")]
    [InlineData("uncollectible")]
    public async Task A_draft_left_for_an_operator_and_finalized_by_them_at_another_total_is_recorded_as_Stripe_bills_it(string status)
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", Credit);
        var left = await _bed.RunLeftForAnOperatorAsync(subscriber);
        var invoice = await OperatorFinalizesAsync(left.StripeInvoiceId!, status);

        // Its webhook, processed first, saves the status on the run where it stands; the job records it
        Assert.True(await _bed.StatusSync.RefreshAsync(left.StripeInvoiceId!, left.RunId, QueueDelivery.First, CancellationToken.None));
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, status, invoice.Number, invoice.HostedInvoiceUrl), (run!.Step, run.Status, run.Number, run.HostedInvoiceUrl));
        Assert.Equal((Billed, Billed, Computed), (run.StripeTotal, run.AmountBilled, run.AmountDue));
        _bed.AssertMarkedInvoiced(subscriber.Id, subscriber.Period); // the daily sweep no longer queues it
        var listed = Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id));
        Assert.Equal((invoice.Id, status, Billed), (listed.StripeInvoiceId, listed.Status, listed.AmountBilled));
        await AssertCreditKeptSpentAsync(subscriber);
        AssertWarnedOfBothAmounts(invoice.Id);

        // Delivered again (the poison message replayed): done, nothing more
        var calls = _bed.Stripe.Calls.Count;
        var writes = _bed.Runs.History.Count;
        Assert.Equal((InvoiceRunStep.Recorded, Billed), ((await _bed.DeliverAsync(subscriber.Job))!.Step, run.AmountBilled));
        Assert.Equal((calls, writes), (_bed.Stripe.Calls.Count, _bed.Runs.History.Count));
    }

    [Fact]
    public async Task A_draft_changed_between_the_check_and_finalizing_is_recorded_as_Stripe_finalized_it()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", Credit);

        // Someone adds an item to the draft after the job compared its total, before the job finalizes it: Stripe
        // has no compare-and-finalize, so the invoice is finalized (and collected) at Stripe's total
        var added = false;
        _bed.Stripe.BeforeCall = async call =>
        {
            if (call == StripeInvoicingCall.Finalize && !added)
            {
                added = true;
                await AddDashboardItemAsync(subscriber, _bed.Stripe.InvoicesFor(subscriber.Job.RunId).Single().Id);
            }
        };

        var run = await _bed.DeliverAsync(subscriber.Job);

        var invoice = Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId));
        Assert.Equal(("open", Billed), (invoice.Status, invoice.Total));
        Assert.Equal((InvoiceRunStep.Recorded, "open", invoice.Number, Billed), (run!.Step, run.Status, run.Number, run.AmountBilled));
        _bed.AssertMarkedInvoiced(subscriber.Id, subscriber.Period);
        await AssertCreditKeptSpentAsync(subscriber);
        AssertWarnedOfBothAmounts(invoice.Id);
    }

    [Fact]
    public async Task A_draft_left_for_an_operator_and_voided_by_them_bills_nobody_gives_the_credit_back_and_warns_of_no_amount()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", Credit);
        var left = await _bed.RunLeftForAnOperatorAsync(subscriber);
        var invoice = await OperatorFinalizesAsync(left.StripeInvoiceId!, "void"); // how an operator ends a run left for them

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, "void"), (run!.Step, run.Status));
        Assert.Equal(Credit, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
        Assert.DoesNotContain(_bed.InvoicerLog.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning && r.Message.Contains(invoice.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_kept_draft_the_merchant_corrects_and_finalizes_before_the_run_is_recorded_is_recorded_at_Stripes_total()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", Credit);
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.KeepAsDraft, ResumesAt: null));
        _bed.Options.FailOnceAt = [nameof(InvoiceRunStep.Finalized)]; // the job stops after saving the kept draft, before recording it
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => _bed.DeliverAsync(subscriber.Job));
        var kept = _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal((InvoiceRunStep.Finalized, "draft"), (kept.Step, kept.Status));

        await AddDashboardItemAsync(subscriber, kept.StripeInvoiceId!);
        var invoice = await OperatorFinalizesAsync(kept.StripeInvoiceId!, "open");
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, "open", invoice.Number, Billed), (run!.Step, run.Status, run.Number, run.AmountBilled));
        Assert.Equal(Billed, Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id)).AmountBilled);
        await AssertCreditKeptSpentAsync(subscriber);
        AssertWarnedOfBothAmounts(invoice.Id);
    }

    [Fact]
    public async Task A_kept_draft_the_run_had_not_saved_finalized_that_the_merchant_corrects_and_finalizes_is_recorded_at_Stripes_total()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", Credit);
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.KeepAsDraft, ResumesAt: null));
        _bed.Options.FailOnceAt = [nameof(InvoiceRunStep.Finalized) + InvoicingOptions.UnsavedSuffix]; // the pause saved, the kept draft not yet
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => _bed.DeliverAsync(subscriber.Job));
        var stopped = _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal((InvoiceRunStep.ItemsCreated, CollectionPauseBehavior.KeepAsDraft), (stopped.Step, stopped.CollectionPause));

        // The merchant changes the draft: the job leaves it alone; then finalizes it
        await AddDashboardItemAsync(subscriber, stopped.StripeInvoiceId!);
        Assert.Contains("needs an operator", (await Assert.ThrowsAsync<InvalidOperationException>(() => _bed.DeliverAsync(subscriber.Job))).Message, StringComparison.Ordinal);
        var invoice = await OperatorFinalizesAsync(stopped.StripeInvoiceId!, "open");
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, "open", invoice.Number, Billed, CollectionPauseBehavior.KeepAsDraft), (run!.Step, run.Status, run.Number, run.AmountBilled, run.CollectionPause));
        await AssertCreditKeptSpentAsync(subscriber);
        AssertWarnedOfBothAmounts(invoice.Id);
    }

    [Fact]
    public async Task A_kept_draft_the_merchant_corrects_and_finalizes_after_the_run_recorded_it_is_shown_at_Stripes_total()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", Credit);
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.KeepAsDraft, ResumesAt: null));
        var kept = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal((InvoiceRunStep.Recorded, "draft", Computed), (kept!.Step, kept.Status, kept.AmountBilled));

        // Collection resumed, the merchant changes the draft and finalizes it; invoice.finalized reaches the run
        await AddDashboardItemAsync(subscriber, kept.StripeInvoiceId!);
        var invoice = await OperatorFinalizesAsync(kept.StripeInvoiceId!, "open");
        Assert.True(await _bed.StatusSync.RefreshFinalizedAsync(kept.StripeInvoiceId!, kept.RunId, QueueDelivery.First, CancellationToken.None));

        var listed = Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id));
        Assert.Equal(("open", invoice.Number, Billed, Computed), (listed.Status, listed.Number, listed.AmountBilled, listed.AmountDue));
        await AssertCreditKeptSpentAsync(subscriber);
        AssertWarnedOfBothAmounts(invoice.Id);

        // Paid later: the status follows, the total stays Stripe's, no second warning
        _bed.Stripe.SetStatus(kept.StripeInvoiceId!, "paid");
        Assert.True(await _bed.StatusSync.RefreshAsync(kept.StripeInvoiceId!, kept.RunId, QueueDelivery.First, CancellationToken.None));
        var paid = _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal(("paid", Billed), (paid.Status, paid.AmountBilled));
        AssertWarnedOfBothAmounts(invoice.Id);
    }

    /// <summary>The operator finalizes the invoice in the dashboard, and it is then paid or marked uncollectible if <paramref name="status"/> says so.</summary>
    private async Task<FakeStripeInvoice> OperatorFinalizesAsync(string invoiceId, string status)
    {
        await _bed.Stripe.FinalizeAsync(invoiceId, "dashboard-finalize", CancellationToken.None);
        if (status != "open")
        {
            _bed.Stripe.SetStatus(invoiceId, status);
        }

        var invoice = _bed.Stripe.Invoices.Single(i => i.Id == invoiceId);
        Assert.Equal((status, Billed), (invoice.Status, invoice.Total));
        Assert.NotNull(invoice.Number);
        return invoice;
    }

    private Task<string> AddDashboardItemAsync(Subscriber subscriber, string invoiceId) =>
        _bed.Stripe.AddItemAsync(
            new NewUsageInvoiceItem("other", invoiceId, subscriber.CustomerId, "other", 99, "usd", "added in the dashboard", subscriber.Period.Start, subscriber.Period.End),
            "dashboard-item",
            CancellationToken.None);

    /// <summary>The credit line is the operator's: the run's spend is neither given back nor spent again.</summary>
    private async Task AssertCreditKeptSpentAsync(Subscriber subscriber)
    {
        Assert.Equal(0, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
        Assert.DoesNotContain(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore);
        Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Spend);
    }

    /// <summary>
    /// The operator learns, once, that the invoice bills another amount than the run computed, with both amounts: from the
    /// job, or from the webhook's status sync when it took Stripe's invoice first.
    /// </summary>
    private void AssertWarnedOfBothAmounts(string invoiceId)
    {
        var warning = Assert.Single(_bed.InvoicerLog.Collector.GetSnapshot().Concat(_bed.StatusSyncLog.Collector.GetSnapshot()), r => r.Level == LogLevel.Warning);
        Assert.Contains(invoiceId, warning.Message, StringComparison.Ordinal);
        Assert.Contains(Billed.ToString(System.Globalization.CultureInfo.InvariantCulture), warning.Message, StringComparison.Ordinal);
        Assert.Contains(Computed.ToString(System.Globalization.CultureInfo.InvariantCulture), warning.Message, StringComparison.Ordinal);
    }
}
