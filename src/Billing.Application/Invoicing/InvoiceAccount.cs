using System.Runtime.CompilerServices;
using Billing.Application.Accounts;
using Billing.Application.Credits;
using Billing.Application.Entitlements;
using Billing.Application.Payments;
using Billing.Application.Subscriptions;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Invoicing;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Application.Invoicing;

/// <summary>
/// Invoices one account's closed usage period (one <c>invoice-jobs</c> message), exactly once in effect. The run's
/// state is persisted after every step and each Stripe call carries an idempotency key derived from the run and the
/// step, so a redelivered or crashed job resumes where it stopped and never makes a second invoice or item; a run
/// resumed later than Stripe's 24-hour idempotency window first looks its objects up by metadata, and so does every
/// run for its invoice (a database restored to a point before the period's run starts it again). Throws to have the
/// job retried (in the end it lands in <c>invoice-jobs-poison</c>). A save whose entry in the operators' invoice index is
/// not written (<see cref="OperatorCopyNotWrittenException"/>) fails the delivery too, so the next one writes it: with its
/// own next save, or, finding the run finished, by writing the entry again (one write, only on such a redelivery). On
/// the message's last delivery (<see cref="QueueDeliveryOptions"/>) the job goes on instead, and the entry is logged as
/// an error unless a later save of the same delivery wrote it: an index entry alone never sends a job to the poison queue.
/// </summary>
public sealed partial class InvoiceAccount(
    IBillingAccountStore accounts,
    AccountEntitlements entitlements,
    IUsageLedger usage,
    IInvoiceRunStore runs,
    IStripeInvoicing stripe,
    StripeSubscriptionSync subscriptions,
    CreditLedger credits,
    CreditOrder order,
    PlanCatalog catalog,
    IOptions<InvoicingOptions> options,
    IOptions<QueueDeliveryOptions> queue,
    TimeProvider time,
    ILogger<InvoiceAccount> logger)
{
    /// <summary>
    /// How far before the period's end (our clock) draft creation looks for the draft an earlier attempt or run may have
    /// created (Stripe's clock): the invoices created since then, not the customer's whole history.
    /// </summary>
    internal static readonly TimeSpan StripeClockMargin = TimeSpan.FromHours(1);

    /// <summary>Runs delivery <paramref name="deliveryAttempt"/> (the queue's dequeue count, 1 for the first) of <paramref name="job"/>.</summary>
    public async Task<InvoiceRun?> RunAsync(InvoiceJob job, long deliveryAttempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var delivery = new QueueDelivery(IsRetry: deliveryAttempt > 1, IsLast: queue.Value.IsLastDelivery(deliveryAttempt));
        var stored = await runs.GetAsync(job.AccountId, job.PeriodKey, cancellationToken).ConfigureAwait(false);
        if (stored is { IsDone: true })
        {
            // A finished run delivered again: the delivery that saved it last may have failed or stopped before its
            // index entry was written. A read, and a write only when the entry is missing or older, only on such a redelivery.
            await delivery.KeepCopyAsync(() => runs.RecordInIndexAsync(stored, cancellationToken), e => LogIndexEntryGivenUp(e, stored.RunId)).ConfigureAwait(false);
        }

        var run = stored ?? await StartAsync(job, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return null;
        }

        // An entry given up on the last delivery is written again by the run's next save: logged only if none did.
        var unwritten = new StrongBox<OperatorCopyNotWrittenException?>();
        try
        {
            if (!run.IsDone)
            {
                var attempt = run with { Attempts = run.Attempts + 1, UpdatedAt = time.GetUtcNow() };
                run = await StepAsync(() => runs.SaveAsync(attempt, cancellationToken), attempt, delivery, unwritten, cancellationToken).ConfigureAwait(false);
            }

            while (!run.IsDone)
            {
                FailIfAsked(run, run.Step.ToString());
                var current = run;
                run = await StepAsync(() => NextStepAsync(current, cancellationToken), current, delivery, unwritten, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (unwritten.Value is { } givenUp)
            {
                LogIndexEntryGivenUp(givenUp, run.RunId);
            }
        }

        if (run.Step is InvoiceRunStep.NothingToBill or InvoiceRunStep.CoveredByCredit)
        {
            await usage.MarkPeriodInvoicedAsync(run.AccountId, run.PeriodKey, run.PeriodEnd, cancellationToken).ConfigureAwait(false);
        }

        return run;
    }

    private Task<InvoiceRun> NextStepAsync(InvoiceRun run, CancellationToken cancellationToken) => run.Step switch
    {
        InvoiceRunStep.Computed => ApplyCreditAsync(run, cancellationToken),
        InvoiceRunStep.CreditApplied => CreateDraftAsync(run, cancellationToken),
        InvoiceRunStep.DraftCreated => CreateItemsAsync(run, resumed: run.Attempts > 1, cancellationToken),
        InvoiceRunStep.ItemsCreated => FinalizeAsync(run, cancellationToken),
        InvoiceRunStep.Finalized => RecordAsync(run, cancellationToken),
        _ => throw new InvalidOperationException($"Invoice run {run.RunId} is in an unknown step {run.Step}."),
    };

    /// <summary>
    /// A step, whose save may be stored without its index entry: thrown (the delivery fails and the next one writes the
    /// entry), except on the last delivery, which keeps it in <paramref name="unwritten"/> and goes on from the run as
    /// stored. Every step ends with a save of the run, whose entry a later step's save writes again (it is cleared then).
    /// </summary>
    private async Task<InvoiceRun> StepAsync(Func<Task<InvoiceRun>> step, InvoiceRun run, QueueDelivery delivery, StrongBox<OperatorCopyNotWrittenException?> unwritten, CancellationToken cancellationToken)
    {
        InvoiceRun? stepped = null;
        if (!await delivery.KeepCopyAsync(async () => stepped = await step().ConfigureAwait(false), e => unwritten.Value = e).ConfigureAwait(false))
        {
            unwritten.Value = null;
        }
        else
        {
            stepped = await runs.GetAsync(run.AccountId, run.PeriodKey, cancellationToken).ConfigureAwait(false)
                      ?? throw new InvalidOperationException($"Invoice run {run.RunId} was saved but can no longer be read.");
        }

        return stepped!;
    }

    /// <summary>Prices the period once and stores the run; null when there is nothing to invoice for the job.</summary>
    private async Task<InvoiceRun?> StartAsync(InvoiceJob job, CancellationToken cancellationToken)
    {
        var counters = await usage.GetAsync(job.AccountId, job.PeriodKey, cancellationToken).ConfigureAwait(false);
        if (counters is null)
        {
            // Its index entry without counters (the first count stopped between the two writes): settled as a finished
            // run's is, or every timer run of the look-back window would queue it again.
            if (job.PeriodEnd is { } indexedEnd)
            {
                await usage.MarkPeriodInvoicedAsync(job.AccountId, job.PeriodKey, indexedEnd, cancellationToken).ConfigureAwait(false);
            }

            LogNoUsage(job.RunId);
            return null;
        }

        var now = time.GetUtcNow();
        if (counters.Period.End > now)
        {
            // A job of a period moved to a later end (below) by an earlier job, or queued twice: its closing day comes.
            LogStillOpen(job.RunId, counters.Period.End);
            return null;
        }

        if (!options.Value.IsSettled(counters.Period.End, now))
        {
            // Closed moments ago: a record whose call chose this period before its end may not be counted yet, and once
            // the run is priced it would never be billed. The timer queues the period again once it has settled.
            LogNotSettled(job.RunId, counters.Period.End, counters.Period.End + options.Value.SettleTime);
            return null;
        }

        var account = await WithWhatFollowedAsync(await accounts.GetAsync(job.AccountId, cancellationToken).ConfigureAwait(false), counters.Period, cancellationToken).ConfigureAwait(false);
        if (account is not null && entitlements.Evaluate(account, now) is var current && current.PeriodKey == job.PeriodKey)
        {
            // The period was recorded with our estimate of its end, made before Stripe reported the renewal, and Stripe
            // has it end later (a longer trial, a delayed renewal): usage may still come. Nothing is priced; the period
            // moves to its new end, so the timer queues it on that day, however far beyond its look-back window. Unless
            // the account changed since it was read and ended the period (a cancellation processed meanwhile): that end
            // was set from a newer account version than this one, and stays; the timer queues the period on its day.
            if (await usage.MovePeriodEndAsync(job.AccountId, job.PeriodKey, PeriodEndMove.StillCurrent(current.PeriodEnd, account.Version), cancellationToken).ConfigureAwait(false))
            {
                LogStillOpen(job.RunId, current.PeriodEnd);
            }
            else
            {
                LogEndSetSince(job.RunId, account.Version);
            }

            return null;
        }

        // Priced from the counters as they are now: the account's read and sync may have ended the period since they were
        // read (Stripe ended the subscription, applied here or by a webhook on another instance: its end moves before the
        // account is stored), and the invoice carries the dates the period ran.
        counters = await usage.GetAsync(job.AccountId, job.PeriodKey, cancellationToken).ConfigureAwait(false) ?? counters;
        InvoiceRun priced;
        try
        {
            priced = InvoiceRun.Start(PeriodCharges.Price(counters, catalog), now);
        }
        catch (OverflowException)
        {
            // Counts stored beyond what the prices can bill (recording does not check for it, far beyond any real period):
            // no amount is right, and every delivery would fail the same way. The job ends here, nothing is stored or
            // billed, and the period is not marked invoiced, so it stays visible to the operators (this log, the next sweep).
            LogChargesOverflow(job.RunId);
            return null;
        }

        var run = priced with
        {
            StripeCustomerId = account?.StripeCustomerId,
            // The subscription that ran the period, also when the account has another one by now (cancelled, then
            // subscribed again before the job): the account's only for counters made before this was kept.
            StripeSubscriptionId = counters.SubscriptionId ?? account?.Subscription?.SubscriptionId,
        };
        if (run.Step == InvoiceRunStep.Computed && run.StripeCustomerId is null)
        {
            throw new InvalidOperationException($"Period {job.RunId} has charges but the account has no Stripe customer to invoice.");
        }

        return await runs.CreateAsync(run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The account once Stripe has said what followed <paramref name="period"/>, a subscription period: while the account
    /// has not heard it (its <see cref="BillingAccount.RenewsBy"/> is not past the period's end) the subscription is read
    /// from Stripe and applied as a webhook would be. Stripe's event may be late or lost (the missed-event sweep looks
    /// only hours after a period's end, after the job), and a period Stripe extended (a longer trial, a moved anchor)
    /// must not be billed before it closes: what it counts after a bill would never be billed.
    /// </summary>
    private async Task<BillingAccount?> WithWhatFollowedAsync(BillingAccount? account, UsagePeriod period, CancellationToken cancellationToken)
    {
        if (account is not { Subscription: { } subscription, RenewsBy: { } renewsBy } || renewsBy > period.End || !period.Key.IsSubscriptionPeriod)
        {
            return account;
        }

        var synced = await subscriptions.SyncAsync(account.Id, subscription.SubscriptionId, cancellationToken).ConfigureAwait(false);
        return synced.Account ?? account;
    }

    /// <summary>
    /// Spends prepaid credit in the run's currency up to the total, the grant expiring soonest first: credit held when the period
    /// closed counts if it had not expired by its end, however late the job runs (the ledger writes no expiry while this
    /// run has not spent: <see cref="PendingInvoiceSpends"/>), credit bought since if it has not expired by now. The
    /// spend's key is the run, so a delivery that crashed after spending gets the same entry back instead of spending
    /// again; the amount is saved on the run before any Stripe object exists, so the card is never billed for what
    /// credit covered. Credit goes to invoices in the order their periods close (<see cref="CreditOrder"/>): what the
    /// invoices of the account's earlier periods still to spend would take is left for them, however the jobs are ordered.
    /// </summary>
    private async Task<InvoiceRun> ApplyCreditAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var read = await credits.ReadToPostAsync(run.AccountId, cancellationToken).ConfigureAwait(false);
        var left = await order.LeftByEarlierInvoicesAsync(read.Book, run.PeriodEnd, run.PeriodKey, now, cancellationToken).ConfigureAwait(false);
        // Nothing left for earlier invoices: up to the total, so credit granted since the read above still counts (the
        // post's write from that read loses the race to the grant, and a read with nothing to spend is read again).
        var upTo = ReferenceEquals(left, read.Book) ? run.Total : -(left.Apply(run.CreditSpendOperation, now).Entry?.Amount ?? 0);
        var posting = await credits.PostAsync(read, run.CreditSpendOf(upTo), cancellationToken).ConfigureAwait(false);
        var spent = posting.Entry is { } entry ? -entry.Amount : 0;
        FailIfAsked(run, nameof(InvoiceRunStep.CreditApplied) + InvoicingOptions.UnsavedSuffix);
        if (spent == 0)
        {
            return await SaveAsync(run with { Step = InvoiceRunStep.CreditApplied, CreditApplied = 0 }, cancellationToken).ConfigureAwait(false);
        }

        LogCreditApplied(run.RunId, spent, run.Currency.Code, run.Total);
        return await SaveAsync(run with { Step = spent >= run.Total ? InvoiceRunStep.CoveredByCredit : InvoiceRunStep.CreditApplied, CreditApplied = spent }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the run's draft unless Stripe has an invoice of the run already (by metadata): one an earlier attempt
    /// created, or an earlier run of the period, when the database was restored to a point before that run (Stripe
    /// keeps the invoice, and beyond its 24-hour idempotency window the key would create a second one). Looked for among
    /// the invoices created since the period ended, less a margin for the clocks: no run of a period starts before its end
    /// (<see cref="StartAsync"/>). A first delivery that finds one (an earlier run's) goes on to look its items up, not
    /// add them, as a resumed delivery's next step does.
    /// </summary>
    private async Task<InvoiceRun> CreateDraftAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        var found = await stripe.FindInvoiceAsync(run.StripeCustomerId!, run.RunId, run.PeriodEnd - StripeClockMargin, cancellationToken).ConfigureAwait(false);
        var invoice = found ?? await stripe.CreateDraftAsync(
            new NewUsageInvoice(run.RunId, run.StripeCustomerId!, run.StripeSubscriptionId, run.Currency.Code, run.InvoiceDescription, run.PeriodStart, run.PeriodEnd, run.AccountId.Value),
            Key(run, "invoice"),
            cancellationToken).ConfigureAwait(false);
        var saved = await SaveAsync(run with { Step = InvoiceRunStep.DraftCreated, StripeInvoiceId = invoice.Id, Status = invoice.Status }, cancellationToken).ConfigureAwait(false);
        return found is null || run.Attempts > 1 ? saved : await CreateItemsAsync(saved, resumed: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds the run's lines (and its credit line) to the draft, each once. A resumed run (a later delivery, or a run that
    /// found its invoice made already) first reads the invoice: one
    /// finalized, voided or deleted in Stripe since the last delivery (an operator ending a run that kept failing, or an
    /// earlier run's invoice found after a restore) takes no more items, its lines only name the items it has, and the
    /// finalize step decides what it is (a void ends the run and gives the credit back; an
    /// invoice the operator finalized is recorded as Stripe has it). One Stripe says it does not have fails the delivery
    /// with nothing saved, as the finalize step would: a draft deleted in the dashboard stays where the operator finds
    /// it, and a "no such invoice" that is not true (a key of another Stripe account or mode deployed for a while: Stripe
    /// answers so for every id) must not move the run past items it never added, or its draft would be left empty and
    /// fail the total check for good.
    /// </summary>
    private async Task<InvoiceRun> CreateItemsAsync(InvoiceRun run, bool resumed, CancellationToken cancellationToken)
    {
        var draft = true;
        if (resumed)
        {
            var current = await stripe.GetInvoiceAsync(run.StripeInvoiceId!, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                LogDraftDeleted(run.RunId, run.StripeInvoiceId!, run.CreditApplied, run.Currency.Code);
                throw new InvalidOperationException($"Stripe invoice {run.StripeInvoiceId} of run {run.RunId} no longer exists (a draft deleted in Stripe, whose invoice.deleted ends the run, or a Stripe key of another account or mode); the run stays at {run.Step} with {run.CreditApplied} {run.Currency.Code} of credit spent until then and needs an operator otherwise.");
            }

            draft = current.Status is "draft";
        }

        var existing = resumed || run.Lines.Any(l => l.StripeItemId is not null)
            ? await stripe.ListItemsByMeterAsync(run.StripeInvoiceId!, cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, string>();
        var lines = new List<InvoiceRunLine>(run.Lines.Count);
        foreach (var line in run.Lines)
        {
            var itemId = line.StripeItemId ?? existing.GetValueOrDefault(line.Meter.Value);
            if (itemId is null && draft)
            {
                itemId = await stripe.AddItemAsync(
                    new NewUsageInvoiceItem(run.RunId, run.StripeInvoiceId!, run.StripeCustomerId!, line.Meter.Value, line.Amount, run.Currency.Code, line.Description, run.PeriodStart, run.PeriodEnd),
                    Key(run, "item:" + line.Meter.Value),
                    cancellationToken).ConfigureAwait(false);
            }

            lines.Add(line with { StripeItemId = itemId });
        }

        var creditItemId = run.CreditItemId ?? (run.CreditApplied > 0 ? existing.GetValueOrDefault(InvoiceRun.CreditLineKey) : null);
        if (run.CreditApplied > 0 && creditItemId is null && draft)
        {
            creditItemId = await stripe.AddItemAsync(
                new NewUsageInvoiceItem(run.RunId, run.StripeInvoiceId!, run.StripeCustomerId!, InvoiceRun.CreditLineKey, -run.CreditApplied, run.Currency.Code, "Prepaid credit applied", run.PeriodStart, run.PeriodEnd),
                Key(run, "item:" + InvoiceRun.CreditLineKey), // not "item:credit", which a meter named credit would share
                cancellationToken).ConfigureAwait(false);
        }

        return await SaveAsync(run with { Step = InvoiceRunStep.ItemsCreated, Lines = lines, CreditItemId = creditItemId }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Finalizes the draft once its total is the run's amount due. Finalizing starts collection (<c>auto_advance</c>),
    /// so the subscription's collection is read from Stripe first: paused (<c>pause_collection</c>, before its
    /// <c>resumes_at</c>), the invoice is treated as Stripe treats the subscription's own invoices then (kept a draft
    /// for the merchant, finalized and voided, or finalized and marked uncollectible: <see cref="HoldAsync"/>), and never
    /// collected; custom finalizing has to honour the pause, Stripe only does so for the invoices it makes itself. The
    /// pause is the one in force when the run finalizes (normally the night after the period closed): Stripe keeps no
    /// record of a pause once it has ended. Because finalizing starts collection, a draft that differs (an item added
    /// or changed in the dashboard meanwhile) is left as a draft for an operator instead. Once the invoice is no longer a
    /// draft (the operator finalized it: open, paid, uncollectible; or it changed between the check and the job's own
    /// finalizing), Stripe's invoice is the truth: the run goes on with its status, number, link and total
    /// (<see cref="InvoiceRun.StripeTotal"/>, with a warning when it differs), and its credit stays spent (the credit line
    /// is the operator's to keep or change). An invoice voided already (how an operator ends a run left for them) is
    /// final as it is: nobody owes it, and <see cref="RecordAsync"/> records it void and gives the credit back. A draft
    /// deleted in the dashboard cannot be finalized: the delivery fails with nothing saved (a "no such invoice" alone may
    /// be a wrong key), and the deletion's own event ends the run (<see cref="InvoiceRunStatusSync.RecordDeletedAsync"/>).
    /// </summary>
    private async Task<InvoiceRun> FinalizeAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        var current = await stripe.GetInvoiceAsync(run.StripeInvoiceId!, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            LogDraftDeleted(run.RunId, run.StripeInvoiceId!, run.CreditApplied, run.Currency.Code);
            throw new InvalidOperationException($"Stripe invoice {run.StripeInvoiceId} of run {run.RunId} no longer exists (a draft deleted in Stripe, whose invoice.deleted ends the run, or a Stripe key of another account or mode); the run stays at {run.Step} with {run.CreditApplied} {run.Currency.Code} of credit spent until then and needs an operator otherwise.");
        }

        if (current.Status == "void")
        {
            LogVoidedBeforeFinalized(run.RunId, current.Id);
            return await SaveAsync(WithStripeInvoice(run, current) with { Step = InvoiceRunStep.Finalized }, cancellationToken).ConfigureAwait(false);
        }

        if (current.Status == "draft" && current.Total != run.AmountDue)
        {
            throw new InvalidOperationException($"Stripe draft invoice {current.Id} totals {current.Total} but run {run.RunId} computed {run.AmountDue} ({run.Total} less {run.CreditApplied} of credit); it was not finalized and needs an operator.");
        }

        if (run.CollectionPause is null && current.Status == "draft" && run.StripeSubscriptionId is { } subscriptionId
            && await stripe.GetCollectionPauseAsync(subscriptionId, cancellationToken).ConfigureAwait(false) is { } pause && pause.IsInForceAt(time.GetUtcNow()))
        {
            run = await SaveAsync(run with { CollectionPause = pause.Behavior }, cancellationToken).ConfigureAwait(false);
        }

        if (run.CollectionPause is { } behavior)
        {
            return await HoldAsync(run, behavior, current, cancellationToken).ConfigureAwait(false);
        }

        // A draft at the run's total is finalized; one finalized already (by the operator) is returned as it is
        var invoice = await stripe.FinalizeAsync(run.StripeInvoiceId!, Key(run, "finalize"), cancellationToken).ConfigureAwait(false);
        return await SaveAsync(WithStripeInvoice(run, invoice) with { Step = InvoiceRunStep.Finalized }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The invoice of a subscription whose collection was paused: a draft kept as it is (<c>keep_as_draft</c>: the
    /// merchant finalizes it when they choose; its number, link and status sync once Stripe reports it finalized), or
    /// finalized without collecting and voided (the credit it applied comes back when the run is recorded) or marked
    /// uncollectible. Recorded as any finalized run, so the period counts as invoiced either way; a draft the merchant
    /// changed and finalized meanwhile, at Stripe's total.
    /// </summary>
    private async Task<InvoiceRun> HoldAsync(InvoiceRun run, CollectionPauseBehavior behavior, StripeUsageInvoice current, CancellationToken cancellationToken)
    {
        var invoice = behavior == CollectionPauseBehavior.KeepAsDraft || current.Status is not ("draft" or "open")
            ? current
            : await stripe.FinalizeUncollectedAsync(run.StripeInvoiceId!, behavior, Key(run, "finalize:paused"), cancellationToken).ConfigureAwait(false);
        LogCollectionPaused(run.RunId, invoice.Id, behavior, invoice.Status);
        return await SaveAsync(WithStripeInvoice(run, invoice) with { Step = InvoiceRunStep.Finalized }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks the period invoiced and the run recorded with the invoice's status read from Stripe again (one more GET on
    /// every run): an <c>invoice.paid</c> or <c>invoice.voided</c> processed since the run was finalized, by this
    /// delivery or an earlier one, left the status to the job, and recording the one read when finalizing would show the
    /// invoice open for good and keep a void's credit spent. A draft kept while collection was paused that the merchant
    /// finalized since (its <c>invoice.finalized</c> left to this job) has its number and link only now, and is recorded
    /// at Stripe's total if they changed it first.
    /// </summary>
    private async Task<InvoiceRun> RecordAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        await usage.MarkPeriodInvoicedAsync(run.AccountId, run.PeriodKey, run.PeriodEnd, cancellationToken).ConfigureAwait(false);
        var invoice = await stripe.GetInvoiceAsync(run.StripeInvoiceId!, cancellationToken).ConfigureAwait(false)
                      ?? throw new InvalidOperationException($"Stripe invoice {run.StripeInvoiceId} of run {run.RunId} was finalized but no longer exists.");
        if (run.GivesCreditBack(invoice.Status))
        {
            await credits.RestoreSpendAsync(run.AccountId, run.CreditSpendEntryKey, run.RunId, cancellationToken).ConfigureAwait(false);
        }

        var recorded = await SaveAsync(WithStripeInvoice(run, invoice) with { Step = InvoiceRunStep.Recorded }, cancellationToken).ConfigureAwait(false);
        LogInvoiced(run.RunId, run.Total, run.Currency.Code, run.Lines.Count);
        return recorded;
    }

    /// <summary>
    /// The run with Stripe's invoice as read (<see cref="InvoiceRun.WithInvoice"/>), warning the operator once when it bills
    /// another amount than the run computed: an invoice changed in Stripe and finalized, which the run records as it is
    /// (a void one bills nobody, and gives its credit back: <see cref="LogVoidedBeforeFinalized"/> says so).
    /// </summary>
    private InvoiceRun WithStripeInvoice(InvoiceRun run, StripeUsageInvoice invoice)
    {
        var taken = run.WithInvoice(invoice);
        if (taken.NewlyBillsOtherThanComputed(run))
        {
            LogBilledOtherThanComputed(run.RunId, invoice.Id, invoice.Status, taken.AmountBilled, run.Currency.Code, run.AmountDue, run.Total, run.CreditApplied);
        }

        return taken;
    }

    private Task<InvoiceRun> SaveAsync(InvoiceRun run, CancellationToken cancellationToken)
    {
        FailIfAsked(run, run.Step + InvoicingOptions.UnsavedSuffix);
        return runs.SaveAsync(run with { UpdatedAt = time.GetUtcNow() }, cancellationToken);
    }

    /// <summary>Development only (<see cref="InvoicingOptions.FailOnceAt"/>): the n-th delivery fails at the n-th listed point.</summary>
    private void FailIfAsked(InvoiceRun run, string point)
    {
        if (options.Value.FailOnceAt is { Length: > 0 } points
            && run.Attempts <= points.Length
            && string.Equals(points[run.Attempts - 1], point, StringComparison.Ordinal))
        {
            throw new InjectedInvoicingFaultException($"Injected fault at {point} of run {run.RunId} (delivery {run.Attempts}).");
        }
    }

    /// <summary>The same key for the same run and step on every delivery (Stripe keeps keys for 24 hours).</summary>
    private static string Key(InvoiceRun run, string step) => PaymentIdempotencyKeys.UsageInvoiceStep(run.AccountId, run.PeriodKey.Value, step);

    [LoggerMessage(Level = LogLevel.Error, Message = "Period {RunId} cannot be invoiced: its charges do not fit in 64-bit minor units (the counts are beyond what the plan's prices can bill); nothing was billed and the period stays open for an operator")]
    private partial void LogChargesOverflow(string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run {RunId}: {Spent} {Currency} of prepaid credit applied to {Total}")]
    private partial void LogCreditApplied(string runId, long spent, string currency, long total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run {RunId}: no usage stored for the period; nothing to invoice")]
    private partial void LogNoUsage(string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run {RunId}: the period is still the account's current one (it ends {PeriodEnd:O}); invoiced once it has closed")]
    private partial void LogStillOpen(string runId, DateTimeOffset periodEnd);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run {RunId}: the period closed at {PeriodEnd:O}, too recently for usage recorded before its end to be all counted; invoiced from {SettledAt:O}")]
    private partial void LogNotSettled(string runId, DateTimeOffset periodEnd, DateTimeOffset settledAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run {RunId}: the period's end was set from a newer account state than version {AccountVersion}, which still had it open; it stays, and the period is invoiced once the timer lists it")]
    private partial void LogEndSetSince(string runId, long accountVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice run {RunId}: Stripe does not have its draft {InvoiceId} (deleted in Stripe: its invoice.deleted ends the run and gives back its {CreditApplied} {Currency} of credit; or a Stripe key of another account or mode); nothing saved")]
    private partial void LogDraftDeleted(string runId, string invoiceId, long creditApplied, string currency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run {RunId}: Stripe invoice {InvoiceId} was voided before the run finalized it; the run records it void")]
    private partial void LogVoidedBeforeFinalized(string runId, string invoiceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice run {RunId}: Stripe invoice {InvoiceId} ({Status}) bills {StripeTotal} {Currency}, not the {AmountDue} the run computed ({Total} less {CreditApplied} of credit): it was changed in Stripe and finalized; recorded as Stripe bills it, the credit kept spent")]
    private partial void LogBilledOtherThanComputed(string runId, string invoiceId, string status, long stripeTotal, string currency, long amountDue, long total, long creditApplied);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run {RunId}: collection of the subscription is paused in Stripe ({Behavior}); invoice {InvoiceId} is {Status} and is not collected")]
    private partial void LogCollectionPaused(string runId, string invoiceId, CollectionPauseBehavior behavior, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invoice run {RunId}: its entry in the operators' invoice index was not written on the job's last delivery; the job goes on (its next save, if any, writes it), the invoice listing may show an older state")]
    private partial void LogIndexEntryGivenUp(Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run {RunId}: invoiced {Total} {Currency} in {Lines} lines")]
    private partial void LogInvoiced(string runId, long total, string currency, int lines);
}

/// <summary>A failure <see cref="InvoicingOptions.FailOnceAt"/> asked for (tests of resumption only).</summary>
public sealed class InjectedInvoicingFaultException : Exception
{
    public InjectedInvoicingFaultException()
    {
    }

    public InjectedInvoicingFaultException(string message)
        : base(message)
    {
    }

    public InjectedInvoicingFaultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
