using Billing.Application.Invoicing;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Pricing;

namespace Billing.Application.Tests.Invoicing;

/// <summary>
/// A closed period of a subscription whose collection the merchant paused in Stripe (<c>pause_collection</c>): Stripe
/// leaves the invoices a run makes through the API to the run, so the run treats its invoice as Stripe treats the
/// subscription's own: never collected. Each case spends 2,000 of prepaid credit on the 12,350 first.
/// </summary>
public sealed class InvoiceAccountCollectionPauseTests
{
    private const long Credit = 2_000;
    private readonly InvoicingTestBed _bed = new();

    [Theory]
    [InlineData(CollectionPauseBehavior.KeepAsDraft, "draft", 0)]
    [InlineData(CollectionPauseBehavior.MarkUncollectible, "uncollectible", 0)]
    [InlineData(CollectionPauseBehavior.Void, "void", Credit)]
    public async Task A_paused_subscriptions_invoice_is_never_collected_and_its_period_counts_as_invoiced(CollectionPauseBehavior behavior, string status, long creditLeft)
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_pause", Credit);
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(behavior, ResumesAt: null));

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, status, behavior), (run!.Step, run.Status, run.CollectionPause));
        var invoice = Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId));
        Assert.Equal((status, InvoicingTestBed.Total - Credit), (invoice.Status, invoice.Total));
        Assert.Equal(invoice.Number, run.Number);
        Assert.Equal(0, _bed.Stripe.CallsOf(StripeInvoicingCall.Finalize)); // the call that starts collection
        Assert.Equal(behavior == CollectionPauseBehavior.KeepAsDraft ? 0 : 1, _bed.Stripe.CallsOf(StripeInvoicingCall.FinalizeUncollected));
        _bed.AssertMarkedInvoiced(subscriber.Id, subscriber.Period);

        // A voided invoice is owed by nobody and gives its credit back; a kept draft or an uncollectible invoice keeps it spent
        Assert.Equal(creditLeft, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Currency.Parse("usd")]);
        Assert.Equal(status, Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id)).Status);
    }

    [Fact]
    public async Task A_pause_whose_resume_time_has_passed_no_longer_holds_the_invoice()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.Void, _bed.Time.GetUtcNow()));

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, "open", null), (run!.Step, run.Status, run.CollectionPause));
        await _bed.AssertRecordedAsync(subscriber, _bed.AssertInvoicedOnce(subscriber));
    }

    [Fact]
    public void Collection_is_paused_until_the_instant_Stripe_resumes_it()
    {
        var resumesAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var pause = new CollectionPause(CollectionPauseBehavior.Void, resumesAt);

        Assert.True(pause.IsInForceAt(resumesAt.AddTicks(-1)));
        Assert.False(pause.IsInForceAt(resumesAt)); // Stripe resumes collection at resumes_at
        Assert.True((pause with { ResumesAt = null }).IsInForceAt(resumesAt.AddYears(10))); // until the merchant resumes it
    }

    [Fact]
    public async Task A_pause_that_resumes_later_holds_the_invoice()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.MarkUncollectible, _bed.Time.GetUtcNow().AddMinutes(1)));

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal(("uncollectible", CollectionPauseBehavior.MarkUncollectible), (run!.Status, run.CollectionPause));
    }

    [Fact]
    public async Task A_run_stopped_between_finalizing_and_voiding_finishes_what_it_decided_after_collection_resumed()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_pause", Credit);
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.Void, ResumesAt: null));
        _bed.Stripe.FailOnce(StripeInvoicingCall.FinalizeUncollected, afterApplying: true);

        var done = await _bed.DeliverUntilDoneAsync(subscriber.Job, betweenDeliveries: () => _bed.Stripe.PauseCollection(subscriber.SubscriptionId, null));

        // The first delivery left the invoice open, never collected; the second, though collection has resumed, voids it
        Assert.Equal((2, "void", CollectionPauseBehavior.Void), (done.Count, done.Run.Status, done.Run.CollectionPause));
        Assert.Equal("void", Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId)).Status);
        Assert.Equal(2, _bed.Stripe.CallsOf(StripeInvoicingCall.FinalizeUncollected));
        Assert.Equal(0, _bed.Stripe.CallsOf(StripeInvoicingCall.Finalize));
        Assert.Equal(1, _bed.Stripe.CallsOf(StripeInvoicingCall.GetCollectionPause)); // decided once, then followed
        Assert.Equal(Credit, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Currency.Parse("usd")]);
    }

    [Fact]
    public async Task A_run_stopped_before_acting_on_the_pause_it_saved_follows_it_though_the_merchant_changed_the_pause_since()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_pause", Credit);
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.Void, ResumesAt: null));
        _bed.Stripe.FailOnce(StripeInvoicingCall.FinalizeUncollected); // the pause is saved, the draft not finalized yet

        var done = await _bed.DeliverUntilDoneAsync(subscriber.Job, betweenDeliveries: () => _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.MarkUncollectible, ResumesAt: null)));

        // The second delivery finds the invoice still a draft and voids it, as the first decided
        Assert.Equal((2, "void", CollectionPauseBehavior.Void), (done.Count, done.Run.Status, done.Run.CollectionPause));
        Assert.Equal("void", Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId)).Status);
        Assert.Equal(1, _bed.Stripe.CallsOf(StripeInvoicingCall.GetCollectionPause)); // decided once, then followed
        Assert.Equal(Credit, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Currency.Parse("usd")]);
    }

    [Fact]
    public async Task A_kept_draft_the_merchant_finalizes_later_is_shown_open_with_its_number_and_link()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.KeepAsDraft, ResumesAt: null));
        var run = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal(("draft", null, null), (run!.Status, run.Number, run.HostedInvoiceUrl));

        // Collection resumed, the merchant finalizes the draft in the dashboard; invoice.finalized reaches the run
        var finalized = await _bed.Stripe.FinalizeAsync(run.StripeInvoiceId!, "dashboard-finalize", CancellationToken.None);
        Assert.True(await _bed.StatusSync.RefreshFinalizedAsync(run.StripeInvoiceId!, subscriber.Job.RunId, QueueDelivery.First, CancellationToken.None));

        var listed = Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id));
        Assert.Equal(("open", finalized.Number, finalized.HostedInvoiceUrl), (listed.Status, listed.Number, listed.HostedInvoiceUrl));
        Assert.NotNull(listed.Number);
    }

    [Fact]
    public async Task A_kept_draft_the_merchant_finalizes_before_its_run_is_recorded_is_recorded_with_its_number_and_link()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var kept = await _bed.RunKeptAsDraftNotRecordedAsync(subscriber);

        // Meanwhile the merchant finalizes the draft; its invoice.finalized is left to the job, which has not recorded the run
        var finalized = await _bed.Stripe.FinalizeAsync(kept.StripeInvoiceId!, "dashboard-finalize", CancellationToken.None);
        Assert.False(await _bed.StatusSync.RefreshFinalizedAsync(kept.StripeInvoiceId!, subscriber.Job.RunId, QueueDelivery.First, CancellationToken.None));

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, "open"), (run!.Step, run.Status));
        var listed = Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id));
        Assert.Equal(("open", finalized.Number, finalized.HostedInvoiceUrl), (listed.Status, listed.Number, listed.HostedInvoiceUrl));
    }

    [Fact]
    public async Task A_finalized_invoice_of_a_run_its_job_finalizes_itself_is_left_to_the_job()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Runs.BeforeSave = async saving =>
        {
            if (saving.Step == InvoiceRunStep.Finalized)
            {
                // invoice.finalized, processed while the job saves what it finalized: no write to race the job's
                Assert.False(await _bed.StatusSync.RefreshFinalizedAsync(saving.StripeInvoiceId!, subscriber.Job.RunId, QueueDelivery.First, CancellationToken.None));
            }
        };

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, "open", 1), (run!.Step, run.Status, run.Attempts));
        var calls = _bed.Stripe.Calls.Count;
        Assert.False(await _bed.StatusSync.RefreshFinalizedAsync(run.StripeInvoiceId!, subscriber.Job.RunId, QueueDelivery.First, CancellationToken.None)); // recorded, not a kept draft
        Assert.Equal(calls, _bed.Stripe.Calls.Count); // nor read from Stripe again
    }

    [Fact]
    public async Task A_draft_the_operator_finalized_before_the_job_is_recorded_as_Stripe_has_it_though_collection_is_paused_since()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var left = await _bed.RunLeftForAnOperatorAsync(subscriber);
        await _bed.Stripe.FinalizeAsync(left.StripeInvoiceId!, "dashboard-finalize", CancellationToken.None); // the operator's, collected
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.Void, ResumesAt: null));

        var run = await _bed.DeliverAsync(subscriber.Job);

        // The pause holds drafts the job finalizes; an invoice the operator finalized is Stripe's truth, never voided by the job
        Assert.Equal((InvoiceRunStep.Recorded, "open", null), (run!.Step, run.Status, run.CollectionPause));
        Assert.Equal("open", Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId)).Status);
        Assert.Equal(0, _bed.Stripe.CallsOf(StripeInvoicingCall.FinalizeUncollected));
    }

    [Fact]
    public async Task A_pause_read_that_fails_collects_nothing_and_the_next_delivery_reads_it_again()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Stripe.PauseCollection(subscriber.SubscriptionId, new CollectionPause(CollectionPauseBehavior.KeepAsDraft, ResumesAt: null));
        _bed.Stripe.FailOnce(StripeInvoicingCall.GetCollectionPause);

        var done = await _bed.DeliverUntilDoneAsync(subscriber.Job);

        Assert.Equal((2, "draft"), (done.Count, done.Run.Status));
        Assert.Equal(0, _bed.Stripe.CallsOf(StripeInvoicingCall.Finalize));
    }
}
