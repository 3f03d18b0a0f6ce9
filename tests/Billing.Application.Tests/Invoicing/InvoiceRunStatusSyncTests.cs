using Billing.Application.Invoicing;
using Billing.Application.Payments;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Application.Tests.Invoicing;

/// <summary>
/// A usage invoice paid (or voided) in Stripe: its run takes Stripe's new status, whatever its step, and a voided
/// invoice gives back the prepaid credit it applied.
/// </summary>
public sealed class InvoiceRunStatusSyncTests
{
    private static readonly Currency Usd = Currency.Parse("usd");
    private readonly InvoicingTestBed _bed = new();

    [Fact]
    public async Task A_paid_usage_invoice_is_recorded_as_paid_once_and_listed_so()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var run = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal("open", run!.Status);
        var invoiceId = run.StripeInvoiceId!;

        _bed.Stripe.SetStatus(invoiceId, "paid");

        Assert.True(await RefreshAsync(run));
        Assert.False(await RefreshAsync(run)); // nothing new: no write
        var listed = Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id));
        Assert.Equal("paid", listed.Status);
        Assert.Equal(run.Lines, (await _bed.Runs.GetAsync(subscriber.Id, subscriber.Period.Key, CancellationToken.None))!.Lines);
    }

    [Fact]
    public async Task An_invoice_no_run_created_changes_nothing()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.DeliverAsync(subscriber.Job);
        var writes = _bed.Runs.History.Count;

        Assert.False(await _bed.StatusSync.RefreshAsync("in_not_a_usage_invoice", null, QueueDelivery.First, CancellationToken.None));

        Assert.Equal(writes, _bed.Runs.History.Count);
    }

    [Fact]
    public async Task The_run_is_read_by_the_id_its_billing_run_metadata_names_never_searched_by_invoice()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var run = await _bed.DeliverAsync(subscriber.Job);
        _bed.Stripe.SetStatus(run!.StripeInvoiceId!, "paid");

        Assert.True(await _bed.StatusSync.RefreshAsync(run.StripeInvoiceId!, subscriber.Job.RunId, QueueDelivery.First, CancellationToken.None));

        Assert.Equal("paid", _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Status);
        Assert.Equal(0, _bed.Runs.Searches); // the cross-partition query is the operator's only
    }

    [Theory]
    [InlineData(null)] // no billing_run metadata: not a run's invoice
    [InlineData("")]
    [InlineData("not a run id")]
    public async Task An_invoice_whose_metadata_names_no_run_is_not_a_runs_and_nothing_is_read(string? billingRun)
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var run = await _bed.DeliverAsync(subscriber.Job);
        _bed.Stripe.SetStatus(run!.StripeInvoiceId!, "paid");
        var writes = _bed.Runs.History.Count;
        var calls = _bed.Stripe.Calls.Count;

        Assert.False(await _bed.StatusSync.RefreshAsync(run.StripeInvoiceId!, billingRun, QueueDelivery.First, CancellationToken.None));

        Assert.Equal((writes, calls, 0), (_bed.Runs.History.Count, _bed.Stripe.Calls.Count, _bed.Runs.Searches));
        Assert.Equal("open", _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Status);
    }

    [Fact]
    public async Task A_copy_made_in_Stripe_that_keeps_the_runs_metadata_changes_nothing_on_the_run()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var run = await _bed.DeliverAsync(subscriber.Job);
        var copy = await _bed.Stripe.CreateDraftAsync(new NewUsageInvoice(run!.RunId, run.StripeCustomerId!, run.StripeSubscriptionId, "usd", "copy", run.PeriodStart, run.PeriodEnd, subscriber.Id.Value), "dashboard-copy", CancellationToken.None);
        _bed.Stripe.SetStatus(copy.Id, "void");
        var writes = _bed.Runs.History.Count;

        Assert.False(await _bed.StatusSync.RefreshAsync(copy.Id, run.RunId, QueueDelivery.First, CancellationToken.None));

        Assert.Equal(writes, _bed.Runs.History.Count);
        Assert.Equal("open", _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Status);
        Assert.DoesNotContain(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore);
    }

    [Fact]
    public async Task A_run_its_job_has_not_finished_takes_the_status_and_the_job_records_it()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Options.FailOnceAt = ["Finalized"];
        await Assert.ThrowsAnyAsync<Exception>(() => _bed.DeliverAsync(subscriber.Job));
        var run = await _bed.Runs.GetAsync(subscriber.Id, subscriber.Period.Key, CancellationToken.None);
        Assert.Equal(InvoiceRunStep.Finalized, run!.Step);
        _bed.Stripe.SetStatus(run.StripeInvoiceId!, "paid");

        Assert.True(await RefreshAsync(run));

        var stored = _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal((InvoiceRunStep.Finalized, "paid"), (stored.Step, stored.Status));
        Assert.Equal("paid", Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id)).Status); // a finalized run is listed

        // The job finishes and records what Stripe has then.
        var done = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal((InvoiceRunStep.Recorded, "paid"), (done!.Step, done.Status));
    }

    [Fact]
    public async Task An_event_processed_while_the_job_records_the_run_is_not_lost()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();

        // The job has read the invoice's status ("open") and is about to save the run recorded
        var saving = new TaskCompletionSource<InvoiceRun>(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _bed.Runs.BeforeSave = async run =>
        {
            if (run.Step == InvoiceRunStep.Recorded && saving.TrySetResult(run))
            {
                await resume.Task;
            }
        };
        var delivery = _bed.DeliverAsync(subscriber.Job);
        var recording = await saving.Task;
        Assert.Equal("open", recording.Status);

        // The invoice is paid and another instance processes invoice.paid meanwhile
        _bed.Stripe.SetStatus(recording.StripeInvoiceId!, "paid");
        Assert.True(await RefreshAsync(recording));
        resume.SetResult();

        await Assert.ThrowsAsync<InvoiceRunConflictException>(() => delivery); // the job's save is refused, not applied over it
        var stored = _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal((InvoiceRunStep.Finalized, "paid"), (stored.Step, stored.Status));
        var done = await _bed.DeliverAsync(subscriber.Job); // the queue retries it
        Assert.Equal((InvoiceRunStep.Recorded, "paid"), (done!.Step, done.Status));
    }

    [Fact]
    public async Task A_status_event_whose_save_conflicts_with_the_runs_job_reads_the_run_again_and_records_its_status()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Options.FailOnceAt = ["Finalized"];
        await Assert.ThrowsAnyAsync<Exception>(() => _bed.DeliverAsync(subscriber.Job));
        var run = await _bed.Runs.GetAsync(subscriber.Id, subscriber.Period.Key, CancellationToken.None);
        _bed.Stripe.SetStatus(run!.StripeInvoiceId!, "paid");

        // Just before the event's save, the run's job records the run with the status it read before the payment
        _bed.Runs.BeforeSave = async saving =>
        {
            _bed.Runs.BeforeSave = null;
            await _bed.Runs.SaveAsync(_bed.Runs.Find(subscriber.Id, subscriber.Period.Key)! with { Step = InvoiceRunStep.Recorded }, CancellationToken.None);
        };

        Assert.True(await RefreshAsync(run)); // its first save conflicts; it reads the run again and saves the status over the job's

        Assert.Equal(1, _bed.Runs.Conflicts);
        var stored = _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal((InvoiceRunStep.Recorded, "paid"), (stored.Step, stored.Status));
    }

    [Fact]
    public async Task A_replayed_event_with_the_status_recorded_already_still_records_the_amounts_Stripe_has_now()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var run = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal(((long?)InvoicingTestBed.Total, (long?)0), (run!.StripeAmountDue, run.StripeAmountPaid));
        _bed.Stripe.SetStatus(run.StripeInvoiceId!, "paid");

        // An instance of the previous version recorded the paid status and kept the open invoice's amount paid
        var stale = await _bed.Runs.SaveAsync(run with { Status = "paid" }, CancellationToken.None);

        Assert.True(await RefreshAsync(stale)); // Stripe delivers invoice.paid again

        var stored = _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal(("paid", (long?)InvoicingTestBed.Total), (stored.Status, stored.StripeAmountPaid));
    }

    [Fact]
    public async Task A_voided_invoice_gives_back_the_credit_it_applied_once()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        await _bed.GrantAsync(subscriber.Id, "cs_b", 3_000);
        var run = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal(5_000, run!.CreditApplied);
        await _bed.Credits.PostAsync(subscriber.Id, CreditOperation.Adjust("later", Usd, 700, "goodwill", "ops-1"), CancellationToken.None);

        _bed.Stripe.SetStatus(run.StripeInvoiceId!, "void");

        Assert.True(await RefreshAsync(run));
        Assert.False(await RefreshAsync(run)); // a duplicate event
        var restore = Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore);
        Assert.Equal(("restore:spend:invoice:" + run.RunId, 5_000L, run.RunId), (restore.Key, restore.Amount, restore.Reference));
        Assert.Equal([new CreditPart("cs:cs_a", 2_000), new CreditPart("cs:cs_b", 3_000)], restore.Parts);
        Assert.Equal(5_700, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
        Assert.Equal("void", Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id)).Status);
    }

    [Fact]
    public async Task A_voided_usage_invoices_event_records_void_on_its_run_and_gives_the_credit_back_and_changes_no_account()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var run = await _bed.DeliverAsync(subscriber.Job);
        _bed.Stripe.SetStatus(run!.StripeInvoiceId!, "void");

        var result = await HandleUsageInvoiceEventAsync("invoice.voided", run);

        Assert.Equal((false, "A usage invoice changes no account; its run follows it."), (result.IsApplied, result.Note));
        Assert.Equal("void", _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Status);
        Assert.Equal(2_000, Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore).Amount);
    }

    [Fact]
    public async Task A_copy_of_the_invoice_made_in_Stripe_hides_neither_its_void_nor_its_credit()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var run = await _bed.DeliverAsync(subscriber.Job);

        // An operator duplicates the invoice in the dashboard (the copy keeps its metadata), then voids the original.
        await _bed.Stripe.CreateDraftAsync(new NewUsageInvoice(run!.RunId, run.StripeCustomerId!, run.StripeSubscriptionId, "usd", "copy", run.PeriodStart, run.PeriodEnd, subscriber.Id.Value), "dashboard-copy", CancellationToken.None);
        _bed.Stripe.SetStatus(run.StripeInvoiceId!, "void");

        Assert.True(await RefreshAsync(run));
        Assert.Equal(2_000, Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore).Amount);
        Assert.Equal("void", (await _bed.Runs.GetAsync(subscriber.Id, subscriber.Period.Key, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_void_Stripe_does_not_know_under_a_key_of_another_account_fails_and_gives_the_credit_back_once_the_key_is_right()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var run = await _bed.DeliverAsync(subscriber.Job);
        _bed.Stripe.SetStatus(run!.StripeInvoiceId!, "void");
        var writes = _bed.Runs.History.Count;

        // Stripe never deletes a finalized invoice: "no such invoice" for one its own event names is a key of another
        // Stripe account or mode. The event must fail (retried, then kept in the poison queue for a replay), not end
        // ignored with the void's credit kept spent for good.
        _bed.Stripe.AnswerNotFound();
        var error = await Assert.ThrowsAsync<PaymentProviderException>(() => RefreshAsync(run));
        Assert.Contains(run.StripeInvoiceId!, error.Message, StringComparison.Ordinal);
        Assert.Equal(writes, _bed.Runs.History.Count);
        Assert.DoesNotContain(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore);

        // Replayed once the key is right
        Assert.True(await RefreshAsync(run));
        Assert.Equal("void", _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Status);
        Assert.Equal(2_000, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
    }

    [Fact]
    public async Task A_kept_draft_finalized_that_Stripe_does_not_know_under_a_key_of_another_account_fails()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.KeepAsDraft, ResumesAt: null));
        var kept = await _bed.DeliverAsync(subscriber.Job);
        _bed.Stripe.SetStatus(kept!.StripeInvoiceId!, "open"); // the merchant finalizes it
        _bed.Stripe.AnswerNotFound();

        await Assert.ThrowsAsync<PaymentProviderException>(() => _bed.StatusSync.RefreshFinalizedAsync(kept.StripeInvoiceId!, kept.RunId, QueueDelivery.First, CancellationToken.None));

        Assert.True(await _bed.StatusSync.RefreshFinalizedAsync(kept.StripeInvoiceId!, kept.RunId, QueueDelivery.First, CancellationToken.None));
        Assert.Equal("open", _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Status);
    }

    [Fact]
    public async Task An_uncollectible_invoice_keeps_its_credit_spent()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var run = await _bed.DeliverAsync(subscriber.Job);

        _bed.Stripe.SetStatus(run!.StripeInvoiceId!, "uncollectible");

        Assert.True(await RefreshAsync(run));
        Assert.DoesNotContain(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore);
        Assert.Equal(0, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
    }

    [Fact]
    public async Task A_void_recorded_already_still_gives_its_credit_back_when_an_event_comes()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var run = await _bed.DeliverAsync(subscriber.Job);
        _bed.Stripe.SetStatus(run!.StripeInvoiceId!, "void");
        await _bed.Runs.SaveAsync(run with { Status = "void" }, CancellationToken.None); // recorded void before restores existed: the credit was kept

        Assert.False(await RefreshAsync(run)); // the status was there already

        Assert.Equal(2_000, Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore).Amount);
        Assert.Equal(2_000, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
    }

    [Fact]
    public async Task A_run_resumed_after_its_invoice_was_voided_records_void_and_gives_the_credit_back()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        _bed.Options.FailOnceAt = ["Finalized"];
        await Assert.ThrowsAnyAsync<Exception>(() => _bed.DeliverAsync(subscriber.Job));
        var run = await _bed.Runs.GetAsync(subscriber.Id, subscriber.Period.Key, CancellationToken.None);
        _bed.Stripe.SetStatus(run!.StripeInvoiceId!, "void");
        Assert.True(await RefreshAsync(run));

        var done = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, "void"), (done!.Step, done.Status));
        Assert.Equal(2_000, Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore).Amount);
        Assert.Equal(2_000, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
    }

    [Fact]
    public async Task A_void_of_an_invoice_its_run_left_for_an_operator_gives_the_credit_back_at_once_and_once()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var run = await _bed.RunLeftForAnOperatorAsync(subscriber);
        _bed.Stripe.SetStatus(run.StripeInvoiceId!, "void"); // the operator's way out: finalize and void it

        Assert.True(await RefreshAsync(run));

        Assert.Equal(2_000, Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore).Amount);
        Assert.Equal(2_000, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
        var stored = _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal((InvoiceRunStep.ItemsCreated, "void"), (stored.Step, stored.Status)); // what the operator's views show

        // The job, queued again by the daily sweep (or replayed from the poison queue), records the void: nothing more is given back
        var done = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal((InvoiceRunStep.Recorded, "void"), (done!.Step, done.Status));
        Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore);
        Assert.Equal(2_000, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
    }

    [Theory]
    [InlineData(2_000)]
    [InlineData(1)] // the least credit there is: given back too
    public async Task A_draft_left_for_an_operator_and_deleted_ends_its_run_deleted_invoiced_and_gives_the_credit_back_once(long credit)
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", credit);
        var run = await _bed.RunLeftForAnOperatorAsync(subscriber);
        _bed.Stripe.DeleteDraft(run.StripeInvoiceId!);

        Assert.True(await RecordDeletedAsync(run));
        Assert.False(await RecordDeletedAsync(run)); // delivered again: nothing more

        var stored = _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal((InvoiceRunStep.Recorded, InvoiceRunStatusSync.Deleted), (stored.Step, stored.Status));
        Assert.Equal(credit, Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore).Amount);
        Assert.Equal(credit, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
        _bed.AssertMarkedInvoiced(subscriber.Id, subscriber.Period);
        Assert.Equal(InvoiceRunStatusSync.Deleted, Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id)).Status);

        // The job, queued again or replayed, finds the run ended: no failure, nothing asked of Stripe
        var calls = _bed.Stripe.Calls.Count;
        var done = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal((InvoiceRunStep.Recorded, InvoiceRunStatusSync.Deleted), (done!.Step, done.Status));
        Assert.Equal(calls, _bed.Stripe.Calls.Count);
    }

    [Fact]
    public async Task An_invoice_deleted_event_of_a_usage_invoice_is_dispatched_to_the_run_it_ends_and_changes_no_account()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var run = await _bed.RunLeftForAnOperatorAsync(subscriber);
        _bed.Stripe.DeleteDraft(run.StripeInvoiceId!);

        var result = await HandleUsageInvoiceEventAsync("invoice.deleted", run);

        Assert.Equal((false, "A deleted invoice changes no account; a usage invoice's run follows it."), (result.IsApplied, result.Note));
        Assert.Equal((InvoiceRunStep.Recorded, InvoiceRunStatusSync.Deleted), (_bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Step, _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Status));
    }

    [Fact]
    public async Task An_invoice_finalized_event_of_a_run_its_job_has_not_recorded_yet_is_left_to_the_job_and_changes_no_account()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var kept = await _bed.RunKeptAsDraftNotRecordedAsync(subscriber);
        await _bed.Stripe.FinalizeAsync(kept.StripeInvoiceId!, "dashboard-finalize", CancellationToken.None); // by the merchant
        var saves = _bed.Runs.History.Count;

        var result = await HandleUsageInvoiceEventAsync("invoice.finalized", kept);

        Assert.Equal((false, "A finalized invoice changes no account; a usage invoice's run follows it."), (result.IsApplied, result.Note));
        Assert.Equal(saves, _bed.Runs.History.Count); // no save to race the job's: the job records what Stripe has
    }

    [Fact]
    public async Task A_draft_kept_while_collection_was_paused_and_deleted_by_the_merchant_is_no_longer_listed_as_a_draft()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 500);
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.KeepAsDraft, ResumesAt: null));
        var kept = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal((InvoiceRunStep.Recorded, "draft"), (kept!.Step, kept.Status));
        _bed.Stripe.DeleteDraft(kept.StripeInvoiceId!);

        Assert.True(await RecordDeletedAsync(kept));

        Assert.Equal(InvoiceRunStatusSync.Deleted, _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Status);
        Assert.Equal(500, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
    }

    [Fact]
    public async Task A_deletion_Stripe_does_not_confirm_changes_nothing()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var run = await _bed.RunLeftForAnOperatorAsync(subscriber); // its draft is still in Stripe
        var writes = _bed.Runs.History.Count;

        Assert.False(await RecordDeletedAsync(run));

        Assert.Equal(writes, _bed.Runs.History.Count);
        Assert.DoesNotContain(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore);
        Assert.Null(_bed.Ledger.InvoicedAt(subscriber.Id, subscriber.Period.Key));
    }

    private Task<bool> RecordDeletedAsync(InvoiceRun run) => _bed.StatusSync.RecordDeletedAsync(run.StripeInvoiceId!, run.RunId, QueueDelivery.First, CancellationToken.None);

    /// <summary>An event of the run's own invoice, with the <c>billing_run</c> metadata the run gave it.</summary>
    private Task<bool> RefreshAsync(InvoiceRun run) => _bed.StatusSync.RefreshAsync(run.StripeInvoiceId!, run.RunId, QueueDelivery.First, CancellationToken.None);

    /// <summary>An <c>invoice.*</c> event of the run's usage invoice, as Stripe sends it, through the invoice events' handler.</summary>
    private Task<StripeEventHandlingResult> HandleUsageInvoiceEventAsync(string type, InvoiceRun run) =>
        new InvoicePaymentEventsHandler(new StripeEventAccountResolver(new InMemoryStripeCustomerLinks(), NullLogger<StripeEventAccountResolver>.Instance), _bed.Sync, _bed.StatusSync)
            .HandleAsync(
                new StripeEventPayload
                {
                    Id = "evt_" + type.Replace('.', '_'),
                    Type = type,
                    Created = _bed.Time.GetUtcNow(),
                    ObjectType = "invoice",
                    ObjectId = run.StripeInvoiceId,
                    BillingReason = InvoiceRunStatusSync.UsageInvoiceBillingReason,
                    BillingRun = run.RunId,
                },
                CancellationToken.None);
}
