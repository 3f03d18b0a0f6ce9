using Billing.Application.Credits;
using Billing.Application.Invoicing;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Metering;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Application.Tests.Credits;

/// <summary>
/// Invoicing spends prepaid credit before billing the card, inside the same exactly-once run: the invoice shows the
/// credit as its own negative line and totals the charges less the credit; credit that covers everything makes no
/// invoice; a crash at any point around the spend neither spends twice nor bills what credit covered. Credit held
/// when the period closed pays it if it had not expired by then, however late the job runs (nothing writes it off
/// before), credit bought since if it has not expired when the job runs.
/// </summary>
public sealed class InvoiceAccountCreditTests
{
    private static readonly Currency Usd = Currency.Parse("usd");
    private readonly InvoicingTestBed _bed = new();

    [Fact]
    public async Task Credit_is_spent_first_and_shown_as_a_negative_line_of_the_invoice()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        await _bed.GrantAsync(subscriber.Id, "cs_b", 3_000);

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.NotNull(run);
        Assert.Equal(InvoiceRunStep.Recorded, run.Step);
        Assert.Equal(5_000, run.CreditApplied);
        var invoice = Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId));
        Assert.Equal(InvoicingTestBed.Total - 5_000, invoice.Total);
        var credit = Assert.Single(invoice.Items, i => i.Metadata[FakeStripeInvoicing.MeterMetadata] == InvoiceRun.CreditLineKey);
        Assert.Equal(-5_000, credit.Amount);
        Assert.Equal(credit.Id, run.CreditItemId);
        var book = await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None);
        Assert.Equal(0, book.Balances()[Usd]);
        var spend = Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Spend);
        Assert.Equal([new CreditPart("cs:cs_a", -2_000), new CreditPart("cs:cs_b", -3_000)], spend.Parts); // oldest first
    }

    [Fact]
    public async Task A_run_left_for_an_operator_whose_invoice_was_voided_records_it_void_and_gives_the_credit_back()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var left = await _bed.RunLeftForAnOperatorAsync(subscriber);
        _bed.Stripe.SetStatus(left.StripeInvoiceId!, "void"); // the operator finalizes and voids it; its event is not needed

        var run = await _bed.DeliverAsync(subscriber.Job); // queued again by the daily sweep, or replayed from the poison queue

        Assert.Equal((InvoiceRunStep.Recorded, "void"), (run!.Step, run.Status));
        Assert.Equal(0, _bed.Stripe.CallsOf(StripeInvoicingCall.Finalize)); // its total is not checked against the run's any more
        _bed.AssertMarkedInvoiced(subscriber.Id, subscriber.Period);
        Assert.Equal(2_000, Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore).Amount);
        Assert.Equal(2_000, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
        Assert.Equal("void", Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id)).Status);
    }

    [Fact]
    public async Task A_run_stopped_before_its_items_whose_invoice_was_finalized_and_voided_records_it_void_and_gives_the_credit_back()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        _bed.Options.FailOnceAt = [nameof(InvoiceRunStep.DraftCreated)]; // the delivery stops before any item is added
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => _bed.DeliverAsync(subscriber.Job));
        var stopped = _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        Assert.Equal(InvoiceRunStep.DraftCreated, stopped.Step);
        _bed.Stripe.SetStatus(stopped.StripeInvoiceId!, "void"); // an operator finalizes the empty draft and voids it

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, "void"), (run!.Step, run.Status));
        Assert.Equal(0, _bed.Stripe.CallsOf(StripeInvoicingCall.AddItem)); // a void invoice takes no items
        Assert.Equal(2_000, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
    }

    [Fact]
    public async Task A_run_left_for_an_operator_whose_invoice_was_marked_uncollectible_is_recorded_so_and_keeps_its_credit_spent()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var left = await _bed.RunLeftForAnOperatorAsync(subscriber);
        _bed.Stripe.SetStatus(left.StripeInvoiceId!, "uncollectible"); // still owed, at a total the run did not compute
        Assert.True(await _bed.StatusSync.RefreshAsync(left.StripeInvoiceId!, left.RunId, QueueDelivery.First, CancellationToken.None));

        var recorded = await _bed.DeliverAsync(subscriber.Job); // no longer a draft: Stripe's invoice is the truth

        Assert.Equal((InvoiceRunStep.Recorded, "uncollectible"), (recorded!.Step, recorded.Status));
        Assert.NotEqual(recorded.AmountDue, recorded.AmountBilled);
        Assert.DoesNotContain(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore);
        Assert.Equal(0, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
    }

    [Fact]
    public async Task A_job_that_finds_its_draft_deleted_in_Stripe_fails_saying_so_and_saves_nothing_its_deletion_event_ends_the_run()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);
        var left = await _bed.RunLeftForAnOperatorAsync(subscriber);
        _bed.Stripe.DeleteDraft(left.StripeInvoiceId!); // instead of finalizing and voiding it

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => _bed.DeliverAsync(subscriber.Job));

        Assert.Contains($"Stripe invoice {left.StripeInvoiceId} of run {left.RunId} no longer exists", failure.Message, StringComparison.Ordinal);
        Assert.Contains("2000 usd of credit spent until then", failure.Message, StringComparison.Ordinal);
        Assert.Equal(InvoiceRunStep.ItemsCreated, _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!.Step);
        Assert.Null(_bed.Ledger.InvoicedAt(subscriber.Id, subscriber.Period.Key));
        Assert.DoesNotContain(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Restore);
        Assert.Equal(0, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]);
    }

    [Fact]
    public async Task Credit_that_covers_everything_makes_no_invoice_and_keeps_the_rest()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_big", 20_000);

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.NotNull(run);
        Assert.Equal(InvoiceRunStep.CoveredByCredit, run.Step);
        Assert.Equal(InvoicingTestBed.Total, run.CreditApplied);
        Assert.Empty(_bed.Stripe.Calls);
        _bed.AssertMarkedInvoiced(subscriber.Id, subscriber.Period);
        var book = await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None);
        Assert.Equal(20_000 - InvoicingTestBed.Total, book.Balances()[Usd]);

        // A redelivery of the finished job changes nothing
        await _bed.DeliverAsync(subscriber.Job);
        Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Spend);
        Assert.Empty(_bed.Stripe.Calls);
    }

    [Theory]
    [InlineData("CreditAppliedUnsaved", 5_000)]
    [InlineData("CreditApplied", 5_000)]
    [InlineData("DraftCreatedUnsaved", 5_000)]
    [InlineData("ItemsCreatedUnsaved", 5_000)]
    [InlineData("FinalizedUnsaved", 5_000)]
    [InlineData("CreditAppliedUnsaved", 20_000)]
    public async Task A_crash_around_the_spend_never_spends_twice_nor_bills_the_covered_amount(string point, long credit)
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", credit);
        _bed.Options.FailOnceAt = [point];

        var deliveries = await _bed.DeliverUntilDoneAsync(subscriber.Job);

        Assert.IsType<InjectedInvoicingFaultException>(Assert.Single(deliveries.Failures));
        var spent = Math.Min(credit, InvoicingTestBed.Total);
        Assert.Equal(spent, deliveries.Run.CreditApplied);
        var spend = Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Spend);
        Assert.Equal(-spent, spend.Amount);
        var book = await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None);
        Assert.Equal(credit - spent, book.Balances()[Usd]);
        if (spent == InvoicingTestBed.Total)
        {
            Assert.Equal(InvoiceRunStep.CoveredByCredit, deliveries.Run.Step);
            Assert.Empty(_bed.Stripe.Invoices);
        }
        else
        {
            var invoice = Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId));
            Assert.Equal(InvoicingTestBed.Total - spent, invoice.Total);
            Assert.Single(invoice.Items, i => i.Metadata[FakeStripeInvoicing.MeterMetadata] == InvoiceRun.CreditLineKey);
        }
    }

    [Fact]
    public async Task Credit_valid_when_the_period_closed_is_spent_though_it_expired_before_the_job_ran_and_only_the_rest_expires()
    {
        var subscriber = await _bed.SubscribeProAsync();
        var expiresAt = subscriber.Period.End.AddHours(1);
        await _bed.GrantAsync(subscriber.Id, "cs_a", 20_000, expiresAt);
        _bed.Close(subscriber.Period); // the job runs at 02:00, an hour after the expiry

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.CoveredByCredit, InvoicingTestBed.Total), (run!.Step, run.CreditApplied));
        Assert.Empty(_bed.Stripe.Calls);
        var book = await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None); // the run has spent: the rest is written off
        Assert.Equal(0, book.Balances()[Usd]);
        var entries = _bed.CreditStore.Entries(subscriber.Id);
        Assert.Equal(-InvoicingTestBed.Total, Assert.Single(entries, e => e.Kind == CreditEntryKind.Spend).Amount);
        var expiry = Assert.Single(entries, e => e.Kind == CreditEntryKind.Expiry);
        Assert.Equal((-(20_000 - InvoicingTestBed.Total), expiresAt), (expiry.Amount, expiry.At));
    }

    [Fact]
    public async Task Reading_the_credits_between_the_expiry_and_the_job_shows_the_credit_expired_and_leaves_it_to_the_invoice()
    {
        var subscriber = await _bed.SubscribeProAsync();
        var expiresAt = subscriber.Period.End.AddHours(1);
        await _bed.GrantAsync(subscriber.Id, "cs_a", 5_000, expiresAt);
        _bed.Close(subscriber.Period, TimeSpan.FromMinutes(90)); // between the expiry and the job
        var overview = new CreditsOverview(_bed.Credits, _bed.CreditStore, _bed.Time);

        var view = (await overview.GetAsync(subscriber.Id, null, null, CancellationToken.None)).AssertSucceeded();
        var forOperator = await overview.ForOperatorAsync(subscriber.Id, 0, CancellationToken.None);
        _bed.Time.Advance(TimeSpan.FromMinutes(30));
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal(0, view.Balances[Usd]); // expired credit never shows as balance
        Assert.Equal(new Money(0, Usd), Assert.Single(forOperator.Balance));
        var grant = Assert.Single(view.Grants);
        Assert.True(grant.IsExpiredAt(view.AsOf));
        Assert.Equal(5_000, grant.Remaining); // held for the invoice of the period it was valid in
        Assert.DoesNotContain(view.Entries, e => e.Kind == CreditEntryKind.Expiry);
        Assert.Equal(5_000, run!.CreditApplied);
        Assert.Equal(InvoicingTestBed.Total - 5_000, Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId)).Total);
        Assert.DoesNotContain(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Expiry); // nothing left to expire
    }

    [Fact]
    public async Task An_adjustment_while_expired_credit_waits_for_the_invoice_answers_the_balance_spendable_now()
    {
        var subscriber = await _bed.SubscribeProAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 5_000, subscriber.Period.End.AddHours(1));
        _bed.Close(subscriber.Period, TimeSpan.FromMinutes(90));
        var adjustments = new CreditAdjustments(_bed.Usage.Accounts, _bed.Credits, _bed.Usage.Catalog, _bed.Time, NullLogger<CreditAdjustments>.Instance);

        var adjusted = await adjustments.AdjustAsync(subscriber.Id, new CreditAdjustmentRequest(300, "usd", "goodwill", "ticket-1"), "ops-1", CancellationToken.None);

        Assert.Equal(300, adjusted.AssertSucceeded().Balance);
        Assert.Equal(5_300, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Usd]); // the expired 5,000 wait on the ledger
    }

    [Theory]
    [InlineData(nameof(InvoiceRunStep.Computed))] // stopped before the spend
    [InlineData("CreditAppliedUnsaved")] // stopped after the spend, before the run saved it
    public async Task A_job_that_failed_before_the_expiry_spends_the_same_credit_when_redelivered_after_it(string point)
    {
        var subscriber = await _bed.SubscribeProAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 5_000, subscriber.Period.End.AddHours(1));
        _bed.Close(subscriber.Period, TimeSpan.FromMinutes(30));
        _bed.Options.FailOnceAt = [point];
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => _bed.DeliverAsync(subscriber.Job));
        _bed.Time.Advance(TimeSpan.FromHours(4)); // redelivered after the expiry (the queue's back-off, an outage)

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, 5_000L), (run!.Step, run.CreditApplied));
        Assert.Equal(-5_000, Assert.Single(_bed.CreditStore.Entries(subscriber.Id), e => e.Kind == CreditEntryKind.Spend).Amount);
        Assert.Equal(InvoicingTestBed.Total - 5_000, Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId)).Total);
    }

    [Theory]
    [InlineData(2_000, 1)] // the spend's write from the read loses its race to the grant and is decided again
    [InlineData(0, 0)] // the read had nothing to spend: read again before answering so
    public async Task Credit_granted_between_the_jobs_read_of_the_book_and_its_spend_is_spent_too(long before, int conflicts)
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        if (before > 0)
        {
            await _bed.GrantAsync(subscriber.Id, "cs_a", before);
        }

        var calls = 0;
        _bed.CreditStore.Interleave = async () =>
        {
            if (++calls == 2) // the job has read the book: this call starts its spend
            {
                _bed.CreditStore.Interleave = null;
                await _bed.GrantAsync(subscriber.Id, "cs_b", 3_000);
            }
        };

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal(conflicts, _bed.CreditStore.Conflicts);
        Assert.Equal(before + 3_000, run!.CreditApplied);
        Assert.Equal(InvoicingTestBed.Total - before - 3_000, Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId)).Total);
    }

    [Fact]
    public async Task Credit_bought_after_the_close_is_spent_only_if_it_has_not_expired_when_the_job_runs()
    {
        var subscriber = await _bed.SubscribeProAsync();
        _bed.Close(subscriber.Period, TimeSpan.FromMinutes(10));
        await _bed.GrantAsync(subscriber.Id, "cs_gone", 3_000, subscriber.Period.End.AddHours(1));
        await _bed.GrantAsync(subscriber.Id, "cs_kept", 2_000, subscriber.Period.End.AddDays(30));
        _bed.Time.Advance(TimeSpan.FromHours(2));

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal(2_000, run!.CreditApplied);
        var entries = _bed.CreditStore.Entries(subscriber.Id);
        Assert.Equal([new CreditPart("cs:cs_kept", -2_000)], Assert.Single(entries, e => e.Kind == CreditEntryKind.Spend).Parts);
        Assert.Equal([new CreditPart("cs:cs_gone", -3_000)], Assert.Single(entries, e => e.Kind == CreditEntryKind.Expiry).Parts); // not held for the invoice
    }

    [Fact]
    public async Task Each_expired_grant_is_held_for_an_invoice_still_to_spend_it_up_to_the_latest_expiry()
    {
        // Neither period's invoice has run. The first closed while "early" was valid; "late", bought after it closed,
        // was valid when the second closed, after "early" had expired.
        var account = UsageTestBed.NewAccountId();
        var start = _bed.Time.GetUtcNow();
        var (first, second) = (UsagePeriod.SubscriptionPeriod(start, start.AddDays(10)), UsagePeriod.SubscriptionPeriod(start.AddDays(10), start.AddDays(20)));
        _bed.Ledger.Set(account, first, UsageTestBed.AgentRuns, 10);
        _bed.Ledger.Set(account, second, UsageTestBed.AgentRuns, 10);
        await _bed.GrantAsync(account, "early", 1_000, start.AddDays(15));
        _bed.Time.SetUtcNow(start.AddDays(12));
        await _bed.GrantAsync(account, "late", 2_000, start.AddDays(25));
        _bed.Time.SetUtcNow(start.AddDays(30));

        var book = await _bed.Credits.ReadAsync(account, CancellationToken.None);

        Assert.Equal([1_000L, 2_000L], book.Grants.Select(g => g.Remaining));
        Assert.DoesNotContain(_bed.CreditStore.Entries(account), e => e.Kind == CreditEntryKind.Expiry);
    }

    [Fact]
    public async Task A_grant_made_the_moment_a_period_closed_is_held_for_its_invoice()
    {
        var account = UsageTestBed.NewAccountId();
        var start = _bed.Time.GetUtcNow();
        var period = UsagePeriod.SubscriptionPeriod(start, start.AddDays(10));
        _bed.Ledger.Set(account, period, UsageTestBed.AgentRuns, 10);
        _bed.Time.SetUtcNow(period.End.AddSeconds(-1));
        await _bed.GrantAsync(account, "at_close", 1_000, period.End.AddDays(1)); // granted at the period's end exactly
        _bed.Time.SetUtcNow(period.End.AddDays(2));

        var book = await _bed.Credits.ReadAsync(account, CancellationToken.None);

        Assert.Equal(period.End, Assert.Single(book.Grants).GrantedAt);
        Assert.Equal(1_000, book.Grants[0].Remaining);
        Assert.DoesNotContain(_bed.CreditStore.Entries(account), e => e.Kind == CreditEntryKind.Expiry);
    }

    [Fact]
    public async Task Credit_in_another_currency_or_expired_is_not_spent()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.Credits.PostAsync(subscriber.Id, CreditOperation.Grant("cs:eur", Currency.Parse("eur"), 5_000, null, "pack:EUR", "pi_eur", "cs_eur"), CancellationToken.None);
        await _bed.Credits.PostAsync(subscriber.Id, CreditOperation.Grant("cs:old", Usd, 5_000, _bed.Time.GetUtcNow().AddMinutes(-1), "pack:OLD", "pi_old", "cs_old"), CancellationToken.None);

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.NotNull(run);
        Assert.Equal(0, run.CreditApplied);
        _bed.AssertInvoicedOnce(subscriber);
        var entries = _bed.CreditStore.Entries(subscriber.Id);
        Assert.DoesNotContain(entries, e => e.Kind == CreditEntryKind.Spend);
        Assert.Equal(-5_000, Assert.Single(entries, e => e.Kind == CreditEntryKind.Expiry).Amount);
    }
}
