using Billing.Application.Credits;
using Billing.Application.Payments;
using Billing.Application.Usage;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Invoicing;

/// <summary>
/// Keeps the Stripe status recorded on a usage invoice's run current once the invoice is finalized, paid, fails or is
/// voided (with its number and hosted URL, which a draft kept while collection was paused gets only then, and Stripe's
/// total when an operator changed the invoice before finalizing it: <see cref="InvoiceRun.WithInvoice"/>), so
/// the account's invoice list and the operator's views show what Stripe has now rather than "open" forever. The run is
/// the one the invoice's <c>billing_run</c> metadata names, read by its id in the account's partition (the webhook
/// path never searches runs by invoice id across partitions), and only if it is that invoice's run (a copy made in the
/// dashboard keeps the metadata). The status is read from Stripe, never taken from the event, so delivery order cannot
/// matter; an invoice Stripe says it does not have, which for these finalized invoices means a key of another Stripe
/// account or mode, fails the event (<see cref="PaymentProviderException"/>), so it is replayed with the right key instead
/// of being marked final with nothing recorded. A voided invoice also gives the prepaid credit it applied back to the ledger
/// (<see cref="InvoiceRun.GivesCreditBack"/>), before its status is saved, so a delivery that stops in between is
/// finished by the next one. Both happen whatever the run's step. A run its job is still working on is safe to write:
/// this save and every save of the job are guarded by the run's ETag, so whichever comes second conflicts. The sync
/// then reads the run again; the job's delivery fails and is retried from the stored run, reading the status from
/// Stripe again before it records it. Neither overwrites a newer status with an older one. A save whose entry in the
/// operators' invoice index is not written (<see cref="OperatorCopyNotWrittenException"/>) fails the event's delivery,
/// and its retry, finding the status recorded already, writes the entry again (one write, only on a retry); on the
/// message's last delivery it is logged instead, so the event's work goes on and it never ends in the poison queue for that.
/// </summary>
public sealed partial class InvoiceRunStatusSync(IInvoiceRunStore runs, IStripeInvoicing stripe, CreditLedger credits, IUsageLedger usage, ILogger<InvoiceRunStatusSync> logger)
{
    /// <summary>The status a run records when its draft was deleted in Stripe (not one of Stripe's: a deleted invoice has none).</summary>
    public const string Deleted = "deleted";

    /// <summary>The <c>billing_reason</c> of the invoices a run creates (through the API, not by a subscription cycle).</summary>
    public const string UsageInvoiceBillingReason = "manual";

    private const int MaxAttempts = 3;

    /// <summary>
    /// Records the current status of <paramref name="stripeInvoiceId"/> on the run its <paramref name="billingRun"/>
    /// metadata names; false when the metadata names no run (the invoice is not a run's: nothing is read), the run has
    /// another invoice, or nothing changed.
    /// </summary>
    /// <exception cref="PaymentProviderException">Stripe does not know the run's invoice (a key of another Stripe account or mode), or cannot be read.</exception>
    public Task<bool> RefreshAsync(string stripeInvoiceId, string? billingRun, QueueDelivery delivery, CancellationToken cancellationToken) =>
        RefreshAsync(stripeInvoiceId, billingRun, keptDraftOnly: false, delivery, cancellationToken);

    /// <summary>
    /// <see cref="RefreshAsync(string, string?, QueueDelivery, CancellationToken)"/> for a finalized invoice: only a draft its run kept
    /// while collection was paused, which the merchant finalizes (the run is recorded by then). Every other run's job
    /// finalizes its invoice itself and records what it did; a save from the webhook in between would only make that
    /// job's save conflict and its delivery be retried.
    /// </summary>
    public Task<bool> RefreshFinalizedAsync(string stripeInvoiceId, string? billingRun, QueueDelivery delivery, CancellationToken cancellationToken) =>
        RefreshAsync(stripeInvoiceId, billingRun, keptDraftOnly: true, delivery, cancellationToken);

    private Task<bool> RefreshAsync(string stripeInvoiceId, string? billingRun, bool keptDraftOnly, QueueDelivery delivery, CancellationToken cancellationToken) =>
        OnTheRunAsync(stripeInvoiceId, billingRun, delivery, async run =>
        {
            if (keptDraftOnly && run is not { Step: InvoiceRunStep.Recorded, CollectionPause: CollectionPauseBehavior.KeepAsDraft })
            {
                return false;
            }

            // The run's own invoice, by id: an operator's duplicate of it in Stripe (which may copy its metadata) is
            // another invoice, and must neither hide this one's status nor its void.
            // Every event that refreshes a run is about a finalized invoice, which Stripe never deletes (only a draft is
            // deleted: its invoice.deleted ends the run, RecordDeletedAsync). "No such invoice" for it is a key of another
            // Stripe account or mode: the event fails, so it is retried and then kept in the poison queue for a replay
            // with the right key, instead of being marked final with its status (and a void's credit) never recorded.
            var invoice = await stripe.GetInvoiceAsync(stripeInvoiceId, cancellationToken).ConfigureAwait(false)
                          ?? throw new PaymentProviderException($"Stripe does not know invoice {stripeInvoiceId} of invoice run {run.RunId}, which its own event names: the Stripe key is probably of another Stripe account or mode; nothing was recorded.");

            if (run.GivesCreditBack(invoice.Status))
            {
                // Whatever the run's step: a run that never got recorded (its job in the poison queue for an operator,
                // who voided the invoice) gives it back now. The restore is keyed, so the job's own restore when it
                // records the void changes nothing.
                await credits.RestoreSpendAsync(run.AccountId, run.CreditSpendEntryKey, run.RunId, cancellationToken).ConfigureAwait(false);
            }

            // A draft kept while collection was paused gets its number and link when the merchant finalizes it, and
            // Stripe's total if they changed it first
            var current = run.WithInvoice(invoice);
            if (current == run)
            {
                return await NothingNewAsync(run, delivery, cancellationToken).ConfigureAwait(false);
            }

            await delivery.KeepCopyAsync(() => runs.SaveAsync(current, cancellationToken), e => LogIndexEntryGivenUp(e, run.RunId)).ConfigureAwait(false);
            LogStatusChanged(run.RunId, stripeInvoiceId, run.Status ?? "none", invoice.Status);
            if (current.NewlyBillsOtherThanComputed(run))
            {
                LogBilledOtherThanComputed(run.RunId, stripeInvoiceId, invoice.Status, current.AmountBilled, run.Currency.Code, run.AmountDue, run.Total, run.CreditApplied);
            }

            return true;
        }, cancellationToken);

    /// <summary>
    /// Ends the run whose draft <paramref name="stripeInvoiceId"/> was deleted in Stripe (<c>invoice.deleted</c>; Stripe
    /// deletes drafts only, and for good): a draft kept while collection was paused, which the merchant decided not to
    /// bill, or one left for an operator because its total differed. Nobody owes it, so it ends as a void does: the
    /// period is marked invoiced (the job never makes another invoice for it; to bill it, make one in Stripe), the
    /// credit the run applied is given back (keyed, once), and the run is recorded <see cref="Deleted"/>, in that
    /// order, so a delivery that stops in between is finished by the next one. The deletion is confirmed with Stripe
    /// first (an invoice it still has is not ended). False when the metadata names no run, the run has another invoice,
    /// or it is recorded deleted already.
    /// </summary>
    public Task<bool> RecordDeletedAsync(string stripeInvoiceId, string? billingRun, QueueDelivery delivery, CancellationToken cancellationToken) =>
        OnTheRunAsync(stripeInvoiceId, billingRun, delivery, async run =>
        {
            if (run.Status == Deleted)
            {
                return await NothingNewAsync(run, delivery, cancellationToken).ConfigureAwait(false);
            }

            if (await stripe.GetInvoiceAsync(stripeInvoiceId, cancellationToken).ConfigureAwait(false) is { } still)
            {
                LogNotDeleted(run.RunId, stripeInvoiceId, still.Status);
                return false;
            }

            await usage.MarkPeriodInvoicedAsync(run.AccountId, run.PeriodKey, run.PeriodEnd, cancellationToken).ConfigureAwait(false);
            if (run.CreditApplied > 0)
            {
                await credits.RestoreSpendAsync(run.AccountId, run.CreditSpendEntryKey, run.RunId, cancellationToken).ConfigureAwait(false);
            }

            await delivery.KeepCopyAsync(() => runs.SaveAsync(run with { Step = InvoiceRunStep.Recorded, Status = Deleted }, cancellationToken), e => LogIndexEntryGivenUp(e, run.RunId)).ConfigureAwait(false);
            LogDraftDeleted(run.RunId, stripeInvoiceId, run.Step, run.CreditApplied, run.Currency.Code);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> on the run the invoice's <paramref name="billingRun"/> metadata names, read by its id
    /// in the account's partition, if <paramref name="stripeInvoiceId"/> is that run's invoice (not a copy made in
    /// Stripe; logged); false without reading anything when the metadata names no run. A save that conflicts (the run
    /// written meanwhile by another delivery or by its job) reads the run again and works on it afresh; every write
    /// before the save is keyed or idempotent, so doing it again changes nothing.
    /// </summary>
    private async Task<bool> OnTheRunAsync(string stripeInvoiceId, string? billingRun, QueueDelivery delivery, Func<InvoiceRun, Task<bool>> work, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stripeInvoiceId);
        ArgumentNullException.ThrowIfNull(delivery);
        if (!InvoiceJob.TryParseRunId(billingRun, out var job))
        {
            return false;
        }

        for (var attempt = 1; ; attempt++)
        {
            var run = await runs.GetAsync(job.AccountId, job.PeriodKey, cancellationToken).ConfigureAwait(false);
            if (run is null || !string.Equals(run.StripeInvoiceId, stripeInvoiceId, StringComparison.Ordinal))
            {
                LogNotTheRunsInvoice(stripeInvoiceId, job.RunId, run?.StripeInvoiceId ?? "none");
                return false;
            }

            try
            {
                return await work(run).ConfigureAwait(false);
            }
            catch (InvoiceRunConflictException) when (attempt < MaxAttempts)
            {
                // Written meanwhile (another delivery, or the run's job): read it again.
            }
        }
    }

    /// <summary>
    /// Nothing to save: false. On a retry, the run's entry in the operators' index is written again (an earlier attempt
    /// may have saved the run and failed, or stopped, before its entry).
    /// </summary>
    private async Task<bool> NothingNewAsync(InvoiceRun run, QueueDelivery delivery, CancellationToken cancellationToken)
    {
        if (delivery.IsRetry)
        {
            await delivery.KeepCopyAsync(() => runs.RecordInIndexAsync(run, cancellationToken), e => LogIndexEntryGivenUp(e, run.RunId)).ConfigureAwait(false);
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice run {RunId}: its draft {InvoiceId} was deleted in Stripe (the run was at {Step}); the run is recorded deleted, its period invoiced, and {CreditApplied} {Currency} of credit given back")]
    private partial void LogDraftDeleted(string runId, string invoiceId, InvoiceRunStep step, long creditApplied, string currency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice run {RunId}: an event says its invoice {InvoiceId} was deleted, but Stripe has it ({Status}); nothing recorded")]
    private partial void LogNotDeleted(string runId, string invoiceId, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invoice run {RunId}: its entry in the operators' invoice index was not written on the event's last delivery; the invoice listing may show an older status")]
    private partial void LogIndexEntryGivenUp(Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe invoice {InvoiceId} names invoice run {RunId}, whose invoice is {RunInvoiceId}: not that run's invoice (a copy?); nothing recorded")]
    private partial void LogNotTheRunsInvoice(string invoiceId, string runId, string runInvoiceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice run {RunId}: Stripe invoice {InvoiceId} ({Status}) bills {StripeTotal} {Currency}, not the {AmountDue} the run computed ({Total} less {CreditApplied} of credit): it was changed in Stripe and finalized; recorded as Stripe bills it, the credit kept spent")]
    private partial void LogBilledOtherThanComputed(string runId, string invoiceId, string status, long stripeTotal, string currency, long amountDue, long total, long creditApplied);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run {RunId}: Stripe invoice {InvoiceId} is now {Status} (was {Previous})")]
    private partial void LogStatusChanged(string runId, string invoiceId, string previous, string status);
}
