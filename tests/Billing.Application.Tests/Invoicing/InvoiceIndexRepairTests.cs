using Billing.Application.Invoicing;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Credits;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Tests.Invoicing;

/// <summary>
/// The operators' invoice index is a write-behind copy of each save of a run: an entry that fails after its run's last
/// save (the job's, or a webhook's status) is written again by the retry of that delivery, and on the message's last
/// delivery it is logged, never a reason for the poison queue.
/// </summary>
public sealed class InvoiceIndexRepairTests
{
    private readonly InvoicingTestBed _bed = new();

    [Fact]
    public async Task An_entry_that_failed_after_the_runs_last_save_is_written_by_the_redelivery_of_the_finished_job()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        FailIndexEntryOfLastSaveOnce(paidBeforeRecording: true);

        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => _bed.DeliverAsync(subscriber.Job));
        Assert.Equal((InvoiceRunStep.Recorded, "paid"), Stored(subscriber));
        Assert.Equal((InvoiceRunStep.Finalized, "open"), Entry(subscriber)); // what the listing would show
        var stripeCalls = _bed.Stripe.Calls.Count;
        var writes = _bed.Runs.History.Count;

        var redelivered = await _bed.DeliverAsync(subscriber.Job, deliveryAttempt: 2);

        Assert.Equal((InvoiceRunStep.Recorded, "paid"), (redelivered!.Step, redelivered.Status));
        Assert.Equal((InvoiceRunStep.Recorded, "paid"), Entry(subscriber));
        Assert.Equal(stripeCalls, _bed.Stripe.Calls.Count); // the repair calls nobody
        Assert.Equal(writes, _bed.Runs.History.Count); // and does not save the run again
    }

    [Fact]
    public async Task An_entry_that_cannot_be_written_on_the_jobs_last_delivery_is_logged_and_the_run_still_finishes()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        FailIndexEntryOfLastSaveOnce(paidBeforeRecording: false);

        var last = await _bed.DeliverAsync(subscriber.Job, deliveryAttempt: _bed.Queue.MaxDequeueCount);

        Assert.Equal(InvoiceRunStep.Recorded, last!.Step);
        Assert.Equal(InvoiceRunStep.Finalized, Entry(subscriber).Step);
        AssertIndexEntryGivenUpLogged(subscriber, times: 1);

        _bed.Runs.IndexFailuresLeft = 1; // a redelivery's repair that fails on the last delivery is acknowledged too
        var again = await _bed.DeliverAsync(subscriber.Job, deliveryAttempt: _bed.Queue.MaxDequeueCount);
        Assert.Equal(InvoiceRunStep.Recorded, again!.Step);
        AssertIndexEntryGivenUpLogged(subscriber, times: 2);
    }

    /// <summary>
    /// On the last delivery an entry that fails mid-run is written by the run's next save in the same delivery: the
    /// listing ends current, so nothing is left for the operator and no error is logged for it.
    /// </summary>
    [Fact]
    public async Task An_entry_that_fails_mid_run_on_the_last_delivery_and_is_written_by_a_later_save_logs_no_error()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Runs.BeforeSave = saving =>
        {
            if (saving.Step == InvoiceRunStep.DraftCreated)
            {
                _bed.Runs.IndexFailuresLeft = 1;
                _bed.Runs.BeforeSave = null;
            }

            return Task.CompletedTask;
        };

        var last = await _bed.DeliverAsync(subscriber.Job, deliveryAttempt: _bed.Queue.MaxDequeueCount);

        Assert.Equal(InvoiceRunStep.Recorded, last!.Step);
        Assert.Equal((InvoiceRunStep.Recorded, last.Status), Entry(subscriber));
        Assert.Equal(0, _bed.Runs.IndexFailuresLeft); // the failure happened
        AssertIndexEntryGivenUpLogged(subscriber, times: 0);
    }

    /// <summary>The operator learns of the entry given up from the log alone: one error naming the run per give-up.</summary>
    private void AssertIndexEntryGivenUpLogged(Subscriber subscriber, int times)
    {
        var givenUp = _bed.InvoicerLog.Collector.GetSnapshot()
            .Where(r => r.Level == LogLevel.Error && r.Message.Contains("entry in the operators' invoice index was not written", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(times, givenUp.Count);
        Assert.All(givenUp, r => Assert.Contains(subscriber.Job.RunId, r.Message, StringComparison.Ordinal));
        Assert.All(givenUp, r => Assert.IsType<OperatorCopyNotWrittenException>(r.Exception));
    }

    [Fact]
    public async Task A_failed_entry_fails_every_delivery_but_the_last_so_the_queue_retries_it()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        FailIndexEntryOfLastSaveOnce(paidBeforeRecording: false);
        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => _bed.DeliverAsync(subscriber.Job));

        _bed.Runs.IndexFailuresLeft = 1;
        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => _bed.DeliverAsync(subscriber.Job, deliveryAttempt: _bed.Queue.MaxDequeueCount - 1));
        await _bed.DeliverAsync(subscriber.Job, deliveryAttempt: _bed.Queue.MaxDequeueCount);

        Assert.Equal(InvoiceRunStep.Recorded, Entry(subscriber).Step);
    }

    [Fact]
    public async Task A_first_delivery_writes_one_entry_per_save_and_only_a_redelivery_of_a_finished_run_writes_one_more()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();

        await _bed.DeliverAsync(subscriber.Job);
        var savesWithInvoice = _bed.Runs.History.Count(r => r.StripeInvoiceId is not null);
        Assert.Equal(savesWithInvoice, _bed.Runs.IndexWrites);

        await _bed.DeliverAsync(subscriber.Job, deliveryAttempt: 2);
        Assert.Equal(savesWithInvoice + 1, _bed.Runs.IndexWrites);
    }

    [Fact]
    public async Task A_paid_status_whose_entry_failed_is_written_by_the_retry_of_its_event()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var run = (await _bed.DeliverAsync(subscriber.Job))!;
        _bed.Stripe.SetStatus(run.StripeInvoiceId!, "paid");
        _bed.Runs.IndexFailuresLeft = 1;

        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => RefreshAsync(run, QueueDelivery.First));
        Assert.Equal((InvoiceRunStep.Recorded, "paid"), Stored(subscriber));
        Assert.Equal((InvoiceRunStep.Recorded, "open"), Entry(subscriber));
        var writes = _bed.Runs.History.Count;

        Assert.False(await RefreshAsync(run, new QueueDelivery(IsRetry: true, IsLast: false))); // the status is recorded already

        Assert.Equal((InvoiceRunStep.Recorded, "paid"), Entry(subscriber));
        Assert.Equal(writes, _bed.Runs.History.Count);
    }

    [Fact]
    public async Task A_deletion_whose_entry_failed_is_written_by_its_events_retry_which_asks_Stripe_nothing_saves_no_run_and_gives_no_credit_back_again()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var run = await _bed.RunLeftForAnOperatorAsync(subscriber);
        _bed.Stripe.DeleteDraft(run.StripeInvoiceId!);
        _bed.Runs.IndexFailuresLeft = 1;

        // The first delivery stops after the run's save, before the event is marked final
        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => RecordDeletedAsync(run, QueueDelivery.First));
        Assert.Equal((InvoiceRunStep.Recorded, InvoiceRunStatusSync.Deleted), Stored(subscriber));
        Assert.NotEqual(InvoiceRunStatusSync.Deleted, Entry(subscriber).Status);
        var (stripeCalls, writes) = (_bed.Stripe.Calls.Count, _bed.Runs.History.Count);

        Assert.False(await RecordDeletedAsync(run, new QueueDelivery(IsRetry: true, IsLast: false))); // recorded deleted already

        Assert.Equal((InvoiceRunStep.Recorded, InvoiceRunStatusSync.Deleted), Entry(subscriber));
        Assert.Equal(writes, _bed.Runs.History.Count);
        Assert.Equal(stripeCalls, _bed.Stripe.Calls.Count);
        Assert.Equal(2_000, Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore).Amount);
        Assert.Equal(2_000, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Currency.Parse("usd")]);
    }

    [Fact]
    public async Task A_status_refresh_that_changes_nothing_writes_no_entry_on_a_first_delivery()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var run = (await _bed.DeliverAsync(subscriber.Job))!;
        var writes = _bed.Runs.IndexWrites;

        Assert.False(await RefreshAsync(run, QueueDelivery.First));

        Assert.Equal(writes, _bed.Runs.IndexWrites);
    }

    [Fact]
    public async Task A_status_whose_entry_cannot_be_written_on_the_events_last_delivery_is_recorded_and_acknowledged()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var run = (await _bed.DeliverAsync(subscriber.Job))!;
        _bed.Stripe.SetStatus(run.StripeInvoiceId!, "paid");
        _bed.Runs.IndexFailuresLeft = 1;

        Assert.True(await RefreshAsync(run, new QueueDelivery(IsRetry: false, IsLast: true)));

        Assert.Equal((InvoiceRunStep.Recorded, "paid"), Stored(subscriber));
        var givenUp = Assert.Single(_bed.StatusSyncLog.Collector.GetSnapshot(), r => r.Message.Contains("entry in the operators' invoice index was not written", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, givenUp.Level); // the operator learns of it from the log alone
        Assert.Contains(subscriber.Job.RunId, givenUp.Message, StringComparison.Ordinal);
    }

    /// <summary>The index write of the run's last save (Recorded) fails once, the run being stored; optionally Stripe has it paid by then.</summary>
    private void FailIndexEntryOfLastSaveOnce(bool paidBeforeRecording) =>
        _bed.Runs.BeforeSave = saving =>
        {
            if (saving.Step == InvoiceRunStep.Finalized && paidBeforeRecording)
            {
                _bed.Stripe.SetStatus(saving.StripeInvoiceId!, "paid");
            }

            if (saving.Step == InvoiceRunStep.Recorded)
            {
                _bed.Runs.IndexFailuresLeft = 1;
                _bed.Runs.BeforeSave = null;
            }

            return Task.CompletedTask;
        };

    private Task<bool> RefreshAsync(InvoiceRun run, QueueDelivery delivery) =>
        _bed.StatusSync.RefreshAsync(run.StripeInvoiceId!, run.RunId, delivery, CancellationToken.None);

    private Task<bool> RecordDeletedAsync(InvoiceRun run, QueueDelivery delivery) =>
        _bed.StatusSync.RecordDeletedAsync(run.StripeInvoiceId!, run.RunId, delivery, CancellationToken.None);

    private (InvoiceRunStep Step, string? Status) Stored(Subscriber subscriber) =>
        _bed.Runs.Find(subscriber.Id, subscriber.Period.Key) is { } run ? (run.Step, run.Status) : throw new InvalidOperationException("no run");

    private (InvoiceRunStep Step, string? Status) Entry(Subscriber subscriber) =>
        _bed.Runs.IndexEntries.Single(e => e.AccountId == subscriber.Id && e.PeriodKey == subscriber.Period.Key) is var entry ? (entry.Step, entry.Status) : default;
}
