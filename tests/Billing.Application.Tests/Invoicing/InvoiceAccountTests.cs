using Billing.Application.Accounts;
using Billing.Application.Invoicing;
using Billing.Application.Subscriptions;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;
using Microsoft.Extensions.Options;

namespace Billing.Application.Tests.Invoicing;

/// <summary>
/// One <c>invoice-jobs</c> delivery on a closed period: the invoice in (fake) Stripe, the run's record and the
/// closing-day index. Amounts are worked out by hand (see <see cref="InvoicingTestBed"/>): 250 runs x 3 = 750;
/// 12,000 tokens = 1,000 x 2 + (9,000 x 1 + 100) + (2,000 x 0 + 500) = 11,600; total 12,350.
/// </summary>
public sealed class InvoiceAccountTests
{
    private readonly InvoicingTestBed _bed = new();

    [Fact]
    public async Task A_closed_period_with_overage_becomes_one_finalized_invoice_with_one_item_per_charged_meter()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.NotNull(run);
        Assert.Equal(InvoiceRunStep.Recorded, run.Step);
        Assert.Equal(1, run.Attempts);
        var invoice = _bed.AssertInvoicedOnce(subscriber);
        await _bed.AssertRecordedAsync(subscriber, invoice);
        Assert.Equal(InvoicingTestBed.Total, run.Total);
        Assert.Equal(PlanCode.Parse("PRO"), run.Plan);
        Assert.Equal("usd", run.Currency.Code);
        Assert.Equal(subscriber.Period.Start, run.PeriodStart);
        Assert.Equal(subscriber.Period.End, run.PeriodEnd);

        // The invoice and its items say what they are for, and carry the run's id for reconciliation
        Assert.Equal(subscriber.Job.RunId, invoice.Metadata[FakeStripeInvoicing.RunMetadata]);
        Assert.Equal(subscriber.Id.Value, invoice.Metadata[FakeStripeInvoicing.AccountMetadata]);
        Assert.Equal((subscriber.Period.Start, subscriber.Period.End), (invoice.PeriodStart, invoice.PeriodEnd));
        Assert.Equal("https://invoice.stripe.test/i/" + invoice.Id, run.HostedInvoiceUrl);
        var start = subscriber.Period.Start.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
        var lastDay = subscriber.Period.End.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture); // ends at noon: the last day is the end's
        Assert.Equal(
            [
                $"agent_runs: 250 beyond the 1,000 included (1,250 used), {start} – {lastDay}",
                $"tokens: 12,000 beyond the 100,000 included (112,000 used), {start} – {lastDay}",
            ],
            invoice.Items.Select(i => i.Description).Order(StringComparer.Ordinal));
        Assert.Equal(
            [("agent_runs", 1_250L, 1_000L, 250L, 750L), ("tokens", 112_000L, 100_000L, 12_000L, 11_600L)],
            run.Lines.Select(l => (l.Meter.Value, l.Used, l.Included, l.OverageUnits, l.Amount)));
        Assert.All(invoice.Items, i => Assert.Equal((subscriber.Period.Start, subscriber.Period.End, "usd", subscriber.CustomerId), (i.PeriodStart, i.PeriodEnd, i.Currency, i.CustomerId)));

        // The period's invoices looked through once (none of the run: a database restored to before an earlier run would
        // have left one), one draft, one item per meter, the subscription's collection read (not paused), one finalize,
        // the status read again to record it
        Assert.Equal(
            [StripeInvoicingCall.FindInvoice, StripeInvoicingCall.CreateDraft, StripeInvoicingCall.AddItem, StripeInvoicingCall.AddItem, StripeInvoicingCall.GetInvoice, StripeInvoicingCall.GetCollectionPause, StripeInvoicingCall.Finalize, StripeInvoicingCall.GetInvoice],
            _bed.Stripe.Calls);
    }

    [Theory]
    [InlineData("paid")]
    [InlineData("void")]
    public async Task A_status_the_invoice_takes_between_finalizing_and_recording_is_the_one_recorded(string status)
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 2_000);

        // Paid or voided in Stripe just after the run saved it finalized; its event, processed by another instance
        // meanwhile, found the run not recorded yet and left the status to the job.
        _bed.Runs.BeforeSave = run =>
        {
            if (run.Step == InvoiceRunStep.Finalized)
            {
                _bed.Stripe.SetStatus(run.StripeInvoiceId!, status);
            }

            return Task.CompletedTask;
        };

        var recorded = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, "open", status), (recorded!.Step, _bed.Runs.History.Single(r => r.Step == InvoiceRunStep.Finalized).Status, recorded.Status));
        Assert.Equal(1, recorded.Attempts); // a first delivery, not a resumed one
        Assert.Equal(status, Assert.Single(await _bed.ListedInvoicesAsync(subscriber.Id)).Status);
        Assert.Equal(status == "void" ? 2_000 : 0, (await _bed.Credits.ReadAsync(subscriber.Id, CancellationToken.None)).Balances()[Currency.Parse("usd")]);
    }

    [Fact]
    public async Task Only_the_meters_with_a_charge_get_an_item()
    {
        var subscriber = await _bed.ClosedProPeriodAsync(agentRuns: 1_001, tokens: 99_000);

        await _bed.DeliverAsync(subscriber.Job);

        var invoice = Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId));
        var item = Assert.Single(invoice.Items);
        Assert.Equal(("agent_runs", 3L), (item.Metadata[FakeStripeInvoicing.MeterMetadata], item.Amount)); // 1 x 3
        Assert.Equal(3, invoice.Total);
    }

    [Fact]
    public async Task Nothing_to_bill_ends_the_run_without_calling_Stripe_and_marks_the_period()
    {
        var subscriber = await _bed.ClosedProPeriodAsync(agentRuns: 1_000, tokens: 100_000);

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.NotNull(run);
        Assert.Equal(InvoiceRunStep.NothingToBill, run.Step);
        Assert.Empty(run.Lines);
        Assert.Null(run.StripeInvoiceId);
        Assert.Empty(_bed.Stripe.Calls);
        _bed.AssertMarkedInvoiced(subscriber.Id, subscriber.Period);
        Assert.Equal(InvoiceRunStep.NothingToBill, _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)?.Step);
    }

    [Fact]
    public async Task A_period_whose_charges_do_not_fit_in_64_bit_minor_units_fails_its_job_with_a_logged_reason_and_bills_nothing()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Ledger.Set(subscriber.Id, subscriber.Period, UsageTestBed.AgentRuns, long.MaxValue / 2); // stored counts whose overage at 3 cents overflows

        var run = await _bed.InvoicerOver(_bed.Usage.Accounts).RunAsync(subscriber.Job, 1, CancellationToken.None);

        Assert.Null(run); // the delivery ends: no retries, no poison message, no wrong amount
        Assert.Empty(_bed.Stripe.Calls);
        Assert.Null(_bed.Runs.Find(subscriber.Id, subscriber.Period.Key));
        Assert.Equal(
            $"Period {subscriber.Job.RunId} cannot be invoiced: its charges do not fit in 64-bit minor units (the counts are beyond what the plan's prices can bill); nothing was billed and the period stays open for an operator",
            Assert.Single(_bed.InvoicerLog.Collector.GetSnapshot(), r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Error).Message);
    }

    [Fact]
    public async Task A_period_whose_lines_fit_but_whose_total_does_not_ends_its_job_as_an_overflowing_charge_does()
    {
        // Both meters per unit at 3 cents: each line fits in 64-bit minor units, their sum does not.
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["tokens"] = new Billing.Domain.Plans.Configuration.MeterOptions
        {
            Quota = 1, Enforcement = MeterEnforcement.Overage, Overage = new Billing.Domain.Plans.Configuration.OveragePriceOptions { UnitAmount = 3 },
        };
        var bed = new InvoicingTestBed(options);
        var subscriber = await bed.ClosedProPeriodAsync(agentRuns: 1_001, tokens: 2);
        var third = (long.MaxValue / 3) + 1;
        bed.Ledger.Set(subscriber.Id, subscriber.Period, UsageTestBed.AgentRuns, third);
        bed.Ledger.Set(subscriber.Id, subscriber.Period, UsageTestBed.Tokens, third);

        var run = await bed.InvoicerOver(bed.Usage.Accounts).RunAsync(subscriber.Job, 1, CancellationToken.None);

        Assert.Null(run); // as for one line that overflows: no retries, no poison message, no run left half-made
        Assert.Empty(bed.Stripe.Calls);
        Assert.Null(bed.Runs.Find(subscriber.Id, subscriber.Period.Key));
    }

    [Fact]
    public async Task A_meter_named_credit_and_the_prepaid_credit_line_are_two_items_of_the_invoice()
    {
        var options = TestCatalog.Options();
        options.Meters.Add("credit");
        foreach (var plan in options.Plans)
        {
            plan.Meters["credit"] = new Billing.Domain.Plans.Configuration.MeterOptions { Quota = 0 };
        }

        options.Plan("PRO").Meters["credit"] = new Billing.Domain.Plans.Configuration.MeterOptions
        {
            Quota = 1, Enforcement = MeterEnforcement.Overage, Overage = new Billing.Domain.Plans.Configuration.OveragePriceOptions { UnitAmount = 3 },
        };
        var bed = new InvoicingTestBed(options);
        var subscriber = await bed.SubscribeProAsync();
        bed.Ledger.Set(subscriber.Id, subscriber.Period, MeterName.Parse("credit"), 11, included: 1); // 10 beyond: 30
        await bed.GrantAsync(subscriber.Id, "cs_pack", 1_000);
        bed.Close(subscriber.Period);

        var run = await bed.DeliverAsync(subscriber.Job);

        Assert.Equal(InvoiceRunStep.Recorded, run?.Step);
        Assert.Equal(
            [("agent_runs", 750L), ("credit", 30L), (InvoiceRun.CreditLineKey, -1_000L), ("tokens", 11_600L)],
            bed.Stripe.ItemsFor(subscriber.Job.RunId).Select(i => (i.Metadata[FakeStripeInvoicing.MeterMetadata], i.Amount)).OrderBy(i => i.Item1, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_free_account_without_a_Stripe_customer_has_nothing_to_bill()
    {
        var id = _bed.Usage.Register();
        (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 10)).AssertSucceeded();
        var period = _bed.Usage.CurrentMonth;
        _bed.Close(period);

        var run = await _bed.DeliverAsync(new InvoiceJob(id, period.Key));

        Assert.Equal(InvoiceRunStep.NothingToBill, run?.Step);
        Assert.Equal(PlanCode.Parse("FREE"), run?.Plan);
        Assert.Empty(_bed.Stripe.Calls);
        _bed.AssertMarkedInvoiced(id, period);
    }

    [Fact]
    public async Task A_job_of_a_period_that_has_not_closed_does_nothing_and_stores_nothing()
    {
        var subscriber = await _bed.SubscribeProAsync();
        _bed.Time.SetUtcNow(subscriber.Period.End.AddTicks(-1));

        Assert.Null(await _bed.DeliverAsync(subscriber.Job)); // a duplicate, or one of a period moved to a later end

        Assert.Empty(_bed.Runs.History);
        Assert.Empty(_bed.Stripe.Calls);
        Assert.Null(_bed.Ledger.InvoicedAt(subscriber.Id, subscriber.Period.Key));

        // Closed, but too recently for every record of its last moments to be counted: still nothing
        _bed.Time.SetUtcNow(subscriber.Period.End + InvoicingOptions.DefaultSettleTime - TimeSpan.FromTicks(1));
        Assert.Null(await _bed.DeliverAsync(subscriber.Job));
        Assert.Empty(_bed.Runs.History);

        // Once it has settled (its end plus SettleTime, exactly), the same job invoices it
        _bed.Time.SetUtcNow(subscriber.Period.End + InvoicingOptions.DefaultSettleTime);
        await _bed.DeliverAsync(subscriber.Job);
        _bed.AssertInvoicedOnce(subscriber);
    }

    [Fact]
    public async Task Without_a_settle_time_a_period_is_invoiced_from_the_instant_it_ends()
    {
        _bed.Options.SettleTime = TimeSpan.Zero;
        var subscriber = await _bed.SubscribeProAsync();
        _bed.Time.SetUtcNow(subscriber.Period.End);

        await _bed.DeliverAsync(subscriber.Job);

        _bed.AssertInvoicedOnce(subscriber);
    }

    [Fact]
    public async Task Usage_recorded_just_before_the_period_closed_and_counted_just_after_is_on_the_period_s_invoice()
    {
        var subscriber = await _bed.SubscribeProAsync();

        // A record of the period's last second (its limits read then) reaches the store a second after the period closed
        // (a slow call, a throttled store, an instance whose clock runs behind); the job of an operator's run, or of the
        // timer firing then, runs meanwhile.
        _bed.Time.SetUtcNow(subscriber.Period.End.AddSeconds(-1));
        _bed.Ledger.BeforeRecord = async _ =>
        {
            _bed.Ledger.BeforeRecord = null;
            _bed.Time.SetUtcNow(subscriber.Period.End.AddSeconds(1));
            await _bed.DeliverAsync(subscriber.Job);
        };
        (await _bed.Usage.RecordAsync(subscriber.Id, UsageTestBed.AgentRuns, 100)).AssertSucceeded();
        Assert.Equal(InvoicingTestBed.AgentRunsUsed + 100, _bed.Usage.Used(subscriber.Id, subscriber.Period, UsageTestBed.AgentRuns));

        // The next timer run
        _bed.Close(subscriber.Period, TimeSpan.FromDays(1));
        await _bed.DeliverAsync(subscriber.Job);

        var run = (await _bed.Runs.GetAsync(subscriber.Id, subscriber.Period.Key, CancellationToken.None))!;
        Assert.True(
            InvoicingTestBed.AgentRunsUsed + 100 == run.Lines.Single(l => l.Meter == UsageTestBed.AgentRuns).Used,
            $"the period counted {InvoicingTestBed.AgentRunsUsed + 100} agent runs but its invoice bills {run.Lines.Single(l => l.Meter == UsageTestBed.AgentRuns).Used}");
        _bed.AssertInvoicedOnce(subscriber, agentRunsAmount: InvoicingTestBed.AgentRunsAmount + 300);
    }

    [Fact]
    public async Task A_period_Stripe_extended_after_its_first_usage_is_invoiced_only_once_it_has_really_closed_and_in_full()
    {
        var id = await RecordThenRenewAsync(At(1, 10, 8, 0), At(3, 13, 8, 0)); // projected to end 10 March; Stripe's ends 3 days later (its anchor moved)

        _bed.Time.SetUtcNow(At(3, 11, 2, 0)); // after the estimated end, before the real one
        await _bed.Sweep.RunAsync(CancellationToken.None);
        var job = Assert.Single(_bed.Jobs.Drain());
        Assert.Null(await _bed.DeliverAsync(job));
        Assert.Empty(_bed.Stripe.Calls);
        Assert.Empty(_bed.Runs.History);

        _bed.Time.SetUtcNow(At(3, 12, 0, 0)); // still the same period: counted with the rest
        (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 500)).AssertSucceeded();
        _bed.Time.SetUtcNow(At(3, 14, 2, 0));
        await _bed.Sweep.RunAsync(CancellationToken.None);
        var run = (await _bed.DeliverUntilDoneAsync(Assert.Single(_bed.Jobs.Drain()))).Run;

        Assert.Equal(job, new InvoiceJob(id, run.PeriodKey));
        Assert.Equal(600 * 3, run.Total); // 1,600 runs, 1,000 included, 3 each
        Assert.Single(_bed.Stripe.InvoicesFor(run.RunId));
        Assert.Equal(At(3, 13, 8, 0), run.PeriodEnd); // Stripe's end, not the estimate
    }

    [Fact]
    public async Task A_cancellation_processed_while_the_job_holds_the_account_is_not_undone_by_the_job_moving_the_period_to_Stripe_s_later_end()
    {
        // Counted with the end projected to 10 March; Stripe's period ends on 13 March. The job runs after the projected
        // end and reads the account; before it moves the period, another instance processes the cancellation of 01:30.
        var (id, job) = await ExtendedPeriodAtItsJobAsync();
        var cancellation = new HookedAccountStore(_bed.Usage.Accounts) { AfterRead = () => CancelAsync(id) };

        Assert.Null(await _bed.InvoicerOver(cancellation).RunAsync(job, 1, CancellationToken.None));

        await AssertEndedAtTheCancellationAndInvoicedTheNextDayAsync(id, job);
    }

    [Fact]
    public async Task A_cancellation_processed_after_the_job_moved_the_period_to_Stripe_s_later_end_ends_it_at_the_cancellation()
    {
        // The other order: the webhook's instance reads the account, and the job runs to its end before that instance
        // moves the period and stores the cancellation.
        var (id, job) = await ExtendedPeriodAtItsJobAsync();
        var jobFirst = new HookedAccountStore(_bed.Usage.Accounts) { AfterRead = async () => Assert.Null(await _bed.DeliverAsync(job)) };

        await CancelAsync(id, jobFirst);

        await AssertEndedAtTheCancellationAndInvoicedTheNextDayAsync(id, job);
    }

    [Fact]
    public async Task A_cancellation_stored_before_the_job_reads_the_account_is_invoiced_at_once_with_the_cancellation_s_end()
    {
        var (id, job) = await ExtendedPeriodAtItsJobAsync();
        await CancelAsync(id);

        var run = (await _bed.DeliverUntilDoneAsync(job)).Run;

        Assert.Equal((At(2, 10, 8, 0), CancelledAt, 100L * 3), (run.PeriodStart, run.PeriodEnd, run.Total));
    }

    [Fact]
    public async Task A_cancellation_whose_account_write_lost_races_to_others_is_not_undone_by_a_job_that_read_one_of_those()
    {
        // The webhook's instance moves the period to the cancellation, then two other writes land on the account (its
        // update is decided again on the newest), and a job reads the newest of them, which still has the period open,
        // and moves the period to Stripe's later end before the cancellation is stored.
        var (id, job) = await ExtendedPeriodAtItsJobAsync();
        var others = new HookedAccountStore(_bed.Usage.Accounts)
        {
            BeforeUpdate = async () =>
            {
                await _bed.Usage.Accounts.UpdateAsync(id, a => a.NoteEarlyReversal("pi_other_1", _bed.Time.GetUtcNow()), CancellationToken.None);
                await _bed.Usage.Accounts.UpdateAsync(id, a => a.NoteEarlyReversal("pi_other_2", _bed.Time.GetUtcNow()), CancellationToken.None);
                Assert.Null(await _bed.DeliverAsync(job));
            },
        };

        await CancelAsync(id, others);

        await AssertEndedAtTheCancellationAndInvoicedTheNextDayAsync(id, job);
    }

    [Theory]
    [InlineData(0)] // read again at once: a duplicate of the stored state
    [InlineData(60)] // read again a minute later: the same state, applied as newer
    public async Task A_cancellation_whose_delivery_stopped_after_storing_the_account_is_ended_at_the_cancellation_by_its_redelivery(int secondsLater)
    {
        // As above, a job moves the period to Stripe's later end while the cancellation's account write loses its races;
        // then the instance stops right after storing the account, before it moves the period back to the cancellation.
        // The event's redelivery finds the cancellation stored: it must still finish the move.
        var (id, job) = await ExtendedPeriodAtItsJobAsync();
        var others = new HookedAccountStore(_bed.Usage.Accounts)
        {
            BeforeUpdate = async () =>
            {
                await _bed.Usage.Accounts.UpdateAsync(id, a => a.NoteEarlyReversal("pi_other_1", _bed.Time.GetUtcNow()), CancellationToken.None);
                await _bed.Usage.Accounts.UpdateAsync(id, a => a.NoteEarlyReversal("pi_other_2", _bed.Time.GetUtcNow()), CancellationToken.None);
                Assert.Null(await _bed.DeliverAsync(job));
            },
            AfterUpdate = () => throw new TimeoutException("the instance stopped after storing the account"),
        };
        await Assert.ThrowsAsync<TimeoutException>(() => CancelAsync(id, others));
        Assert.Equal(At(3, 13, 8, 0), (await _bed.Ledger.GetAsync(id, job.PeriodKey, CancellationToken.None))!.Period.End);

        _bed.Time.Advance(TimeSpan.FromSeconds(secondsLater));
        await RenewAsync(
            id, At(2, 10, 8, 0), At(3, 13, 8, 0), status: SubscriptionStatus.Canceled, endedAt: CancelledAt,
            expected: secondsLater == 0 ? SubscriptionSnapshotOutcome.Duplicate : SubscriptionSnapshotOutcome.Applied);

        await AssertEndedAtTheCancellationAndInvoicedTheNextDayAsync(id, job);
    }

    [Fact]
    public async Task A_cancellation_the_job_reads_from_Stripe_itself_is_invoiced_with_the_cancellation_s_end()
    {
        // The cancellation's event was lost: the account still has the period end on 15 March. The job, an hour after
        // that end, reads the subscription from Stripe, which ended it on 10 March at noon: applying it moves the period's
        // end there, after the job read the counters, and the invoice carries the dates the period ran.
        var (start, end, cancelledAt) = (At(3, 1, 1, 0), At(3, 15, 1, 0), At(3, 10, 12, 0));
        _bed.Time.SetUtcNow(start);
        var id = _bed.Usage.Register();
        await RenewAsync(id, start, end);
        _bed.Time.SetUtcNow(At(3, 5, 0, 0));
        (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded();
        _bed.StripeSubscriptions.Subscriptions.Add("sub_anchor", new FakeStripeSubscription
        {
            Id = "sub_anchor", CustomerId = "cus_anchor", Created = start, PriceId = TestCatalog.ProMonthly, PeriodStart = start, PeriodEnd = end,
            Status = SubscriptionStatus.Canceled, CanceledAt = cancelledAt, EndedAt = cancelledAt,
        });

        _bed.Time.SetUtcNow(At(3, 15, 2, 0));
        var run = (await _bed.DeliverUntilDoneAsync(new InvoiceJob(id, UsagePeriodKey.ForSubscriptionPeriod(start)))).Run;

        Assert.Equal((start, cancelledAt, 100L * 3), (run.PeriodStart, run.PeriodEnd, run.Total)); // 1,100 runs, 1,000 included
        _bed.AssertMarkedInvoiced(id, new UsagePeriod(start, cancelledAt, run.PeriodKey));
    }

    [Fact]
    public async Task A_period_Stripe_shortened_and_then_extended_again_is_still_moved_to_its_later_end_by_the_job()
    {
        // Projected to end 10 March; Stripe first has the period end on 8 March (the end moves there), then on 13 March.
        var renewal = At(2, 10, 8, 0);
        var id = await RecordThenRenewAsync(At(1, 10, 8, 0), At(3, 8, 8, 0));
        var key = UsagePeriodKey.ForSubscriptionPeriod(renewal);
        Assert.Equal(At(3, 8, 8, 0), (await _bed.Ledger.GetAsync(id, key, CancellationToken.None))!.Period.End);
        _bed.Time.SetUtcNow(At(3, 1, 0, 0));
        await RenewAsync(id, renewal, At(3, 13, 8, 0));

        _bed.Time.SetUtcNow(At(3, 9, 2, 0));
        Assert.Null(await _bed.DeliverAsync(new InvoiceJob(id, key)));

        Assert.Equal(At(3, 13, 8, 0), (await _bed.Ledger.GetAsync(id, key, CancellationToken.None))!.Period.End);
        _bed.Time.SetUtcNow(At(3, 14, 2, 0));
        await _bed.Sweep.RunAsync(CancellationToken.None);
        var run = (await _bed.DeliverUntilDoneAsync(Assert.Single(_bed.Jobs.Drain()))).Run;
        Assert.Equal((renewal, At(3, 13, 8, 0)), (run.PeriodStart, run.PeriodEnd));
    }

    [Fact]
    public async Task A_period_is_invoiced_on_the_subscription_that_ran_it_when_the_customer_has_subscribed_again_before_the_job()
    {
        // sub A ends with its period (cancelled at its end); an hour later the customer checks out again (sub B); the
        // job runs at 02:00: A's usage goes on A's subscription, not on B (whose collection settings may differ).
        var subscriber = await _bed.SubscribeProAsync();
        var end = subscriber.Period.End;
        _bed.Time.SetUtcNow(end.AddMinutes(5));
        await RenewAsync(subscriber.Id, subscriber.Period.Start, end, subscriber.SubscriptionId, subscriber.CustomerId, SubscriptionStatus.Canceled, endedAt: end);
        _bed.Time.SetUtcNow(end.AddHours(1));
        await RenewAsync(subscriber.Id, end.AddHours(1), end.AddHours(1).AddMonths(1), "sub_again", subscriber.CustomerId);
        Assert.Equal("sub_again", (await _bed.Usage.Accounts.GetAsync(subscriber.Id, CancellationToken.None))!.Subscription!.SubscriptionId);
        (await _bed.Usage.RecordAsync(subscriber.Id, UsageTestBed.AgentRuns, 1_001)).AssertSucceeded(); // B's own period

        _bed.Close(subscriber.Period);
        var run = (await _bed.DeliverUntilDoneAsync(subscriber.Job)).Run;

        Assert.Equal(InvoicingTestBed.Total, run.Total);
        Assert.Equal((subscriber.SubscriptionId, subscriber.SubscriptionId), (run.StripeSubscriptionId, Assert.Single(_bed.Stripe.InvoicesFor(run.RunId)).SubscriptionId));
        var second = await _bed.Usage.Ledger.GetAsync(subscriber.Id, UsagePeriodKey.ForSubscriptionPeriod(end.AddHours(1)), CancellationToken.None);
        Assert.Equal(("sub_again", 1_001L), (second!.SubscriptionId, second.Used(UsageTestBed.AgentRuns)));
        Assert.Equal(0, _bed.StripeSubscriptions.Reads); // the account had heard what followed the period: Stripe is not read
    }

    [Fact]
    public async Task A_period_Stripe_extended_whose_event_was_lost_is_read_from_Stripe_by_the_job_and_billed_once_it_has_really_closed_and_in_full()
    {
        // Stripe moved the period's end from 15 to 29 March before it ended (a trial extended), but the event never
        // arrived, and the job runs an hour after the old end, before the missed-event sweep would look.
        var (start, end) = (At(3, 1, 1, 0), At(3, 15, 1, 0));
        _bed.Time.SetUtcNow(start);
        var id = _bed.Usage.Register();
        await RenewAsync(id, start, end);
        _bed.Time.SetUtcNow(At(3, 10, 0, 0));
        (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded();
        _bed.StripeSubscriptions.Subscriptions.Add("sub_anchor", new FakeStripeSubscription
        {
            Id = "sub_anchor", CustomerId = "cus_anchor", Created = start, PriceId = TestCatalog.ProMonthly, PeriodStart = start, PeriodEnd = At(3, 29, 1, 0),
        });

        _bed.Time.SetUtcNow(At(3, 15, 2, 0));
        await _bed.Sweep.RunAsync(CancellationToken.None);
        Assert.Null(await _bed.DeliverAsync(Assert.Single(_bed.Jobs.Drain())));
        Assert.Empty(_bed.Stripe.Calls);
        _bed.Time.SetUtcNow(At(3, 20, 0, 0));
        (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 2_000)).AssertSucceeded(); // the same period, still open
        _bed.Time.SetUtcNow(At(3, 29, 2, 0));
        await _bed.Sweep.RunAsync(CancellationToken.None);
        var run = (await _bed.DeliverUntilDoneAsync(Assert.Single(_bed.Jobs.Drain()))).Run;

        Assert.Equal((start, At(3, 29, 1, 0), 2_100L * 3), (run.PeriodStart, run.PeriodEnd, run.Total)); // 3,100 runs, 1,000 included
        Assert.Single(_bed.Stripe.InvoicesFor(run.RunId));
        Assert.Equal(2, _bed.StripeSubscriptions.Reads); // once per job: neither end's renewal had reached the account
    }

    [Fact]
    public async Task A_period_Stripe_extended_past_a_month_is_invoiced_one_monthly_slice_at_a_time()
    {
        // Projected from an anchor on the 31st to end 31 March; Stripe has the period end on 10 June (an extended
        // period): its usage is counted in monthly slices from 28 February, the first ending on 28 March.
        var id = await RecordThenRenewAsync(At(1, 31, 8, 0), At(6, 10, 8, 0));

        _bed.Time.SetUtcNow(At(3, 29, 2, 0));
        await _bed.Sweep.RunAsync(CancellationToken.None);
        var first = (await _bed.DeliverUntilDoneAsync(Assert.Single(_bed.Jobs.Drain()))).Run;

        _bed.Time.SetUtcNow(At(4, 5, 0, 0));
        (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 1_200)).AssertSucceeded(); // a new slice: 1,000 included again
        _bed.Time.SetUtcNow(At(4, 29, 2, 0));
        await _bed.Sweep.RunAsync(CancellationToken.None);
        var second = (await _bed.DeliverUntilDoneAsync(Assert.Single(_bed.Jobs.Drain()))).Run;

        Assert.Equal((At(2, 28, 8, 0), At(3, 28, 8, 0), 100L * 3), (first.PeriodStart, first.PeriodEnd, first.Total));
        Assert.Equal((At(3, 28, 8, 0), At(4, 28, 8, 0), 200L * 3), (second.PeriodStart, second.PeriodEnd, second.Total));
    }

    [Fact]
    public async Task Credit_goes_to_the_invoice_of_the_period_that_closed_first_also_when_a_later_period_s_job_runs_first()
    {
        // An outage longer than a period: both periods wait for their invoices, and the sweep queues the newest first
        // (days newest first). The later job took the whole pack, the earlier invoice got none of the credit the upcoming
        // invoice had said would pay it (docs/api.md: credit goes to invoices in the order their periods close).
        var (jan, feb, mar) = (At(1, 10, 8, 0), At(2, 10, 8, 0), At(3, 10, 8, 0));
        _bed.Time.SetUtcNow(jan);
        var id = _bed.Usage.Register();
        await RenewAsync(id, jan, feb);
        _bed.Time.SetUtcNow(At(1, 12, 0, 0));
        await _bed.GrantAsync(id, "cs_pack", 500);
        (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded(); // 100 beyond: 300
        _bed.Time.SetUtcNow(feb.AddHours(-1));
        Assert.Equal(300L, (await _bed.Invoices.UpcomingAsync(id, CancellationToken.None)).CreditApplicable);
        _bed.Time.SetUtcNow(feb.AddMinutes(1));
        await RenewAsync(id, feb, mar);
        (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 1_200)).AssertSucceeded(); // 200 beyond: 600
        _bed.Time.SetUtcNow(mar.AddMinutes(1));
        await RenewAsync(id, mar, At(4, 10, 8, 0));
        _bed.Time.SetUtcNow(At(3, 11, 0, 0));

        var later = (await _bed.DeliverUntilDoneAsync(new InvoiceJob(id, UsagePeriodKey.ForSubscriptionPeriod(feb)))).Run;
        var earlier = (await _bed.DeliverUntilDoneAsync(new InvoiceJob(id, UsagePeriodKey.ForSubscriptionPeriod(jan)))).Run;

        Assert.Equal((300L, 300L), (earlier.Total, earlier.CreditApplied));
        Assert.Equal((600L, 200L), (later.Total, later.CreditApplied));
        Assert.Equal(0L, (await _bed.Credits.ReadAsync(id, CancellationToken.None)).Spendable(Currency.Parse("usd"), _bed.Time.GetUtcNow()));
    }

    [Fact]
    public async Task A_period_without_usage_gives_no_run()
    {
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 0, tokens: 0);
        _bed.Close(subscriber.Period);

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Null(run);
        Assert.Empty(_bed.Runs.History);
        Assert.Empty(_bed.Stripe.Calls);
    }

    [Fact]
    public async Task Charges_without_a_Stripe_customer_fail_the_job_and_store_nothing()
    {
        var id = _bed.Usage.Register();
        var period = UsagePeriod.CalendarMonth(_bed.Time.GetUtcNow());
        _bed.Ledger.Set(id, period, UsageTestBed.AgentRuns, 1_250, PlanCode.Parse("PRO"), 1_000);
        _bed.Close(period);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => _bed.DeliverAsync(new InvoiceJob(id, period.Key)));

        Assert.Contains("no Stripe customer", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_bed.Runs.History);
        Assert.Empty(_bed.Stripe.Calls);
        Assert.Null(_bed.Ledger.InvoicedAt(id, period.Key));
    }

    [Fact]
    public async Task A_redelivered_finished_job_makes_no_Stripe_call_and_writes_nothing()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var first = await _bed.DeliverAsync(subscriber.Job);
        var calls = _bed.Stripe.Calls.Count;
        var writes = _bed.Runs.History.Count;

        var again = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal(first, again);
        Assert.Equal(calls, _bed.Stripe.Calls.Count);
        Assert.Equal(writes, _bed.Runs.History.Count);
        _bed.AssertInvoicedOnce(subscriber);
    }

    [Fact]
    public async Task A_redelivered_nothing_to_bill_job_makes_no_Stripe_call()
    {
        var subscriber = await _bed.ClosedProPeriodAsync(agentRuns: 10, tokens: 10);
        await _bed.DeliverAsync(subscriber.Job);
        var writes = _bed.Runs.History.Count;

        var again = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal(InvoiceRunStep.NothingToBill, again?.Step);
        Assert.Empty(_bed.Stripe.Calls);
        Assert.Equal(writes, _bed.Runs.History.Count);
        _bed.AssertMarkedInvoiced(subscriber.Id, subscriber.Period);
    }

    [Fact]
    public async Task Usage_counted_under_another_plan_is_priced_with_the_plan_and_included_units_recorded_with_it()
    {
        // The account is PRO now, but the ledger recorded its period under PRO with 1,200 included runs (an older catalog)
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 0, tokens: 0);
        _bed.Ledger.Set(subscriber.Id, subscriber.Period, UsageTestBed.AgentRuns, 1_250, PlanCode.Parse("PRO"), included: 1_200);
        _bed.Close(subscriber.Period);

        var run = await _bed.DeliverAsync(subscriber.Job);

        // 1,250 - 1,200 = 50 runs x 3 = 150
        var line = Assert.Single(run!.Lines);
        Assert.Equal((1_200L, 50L, 150L), (line.Included, line.OverageUnits, line.Amount));
        Assert.Equal(150, Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId)).Total);
    }

    [Fact]
    public async Task A_draft_whose_Stripe_total_differs_from_the_computed_one_is_never_finalized_and_stops_the_run_before_it_is_recorded()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();

        // Someone adds an item to the draft while the job runs (e.g. an operator in the dashboard), before its check.
        // (Once finalized, by an operator or just after the check, Stripe's invoice is what is recorded: InvoiceAccountCorrectedDraftTests.)
        var added = false;
        _bed.Stripe.BeforeCall = async call =>
        {
            if (call == StripeInvoicingCall.GetInvoice && !added)
            {
                added = true;
                var invoice = _bed.Stripe.InvoicesFor(subscriber.Job.RunId).Single();
                await _bed.Stripe.AddItemAsync(
                    new NewUsageInvoiceItem("other", invoice.Id, subscriber.CustomerId, "other", 99, "usd", "extra", subscriber.Period.Start, subscriber.Period.End),
                    "someone-else",
                    CancellationToken.None);
            }
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => _bed.DeliverAsync(subscriber.Job));

        Assert.Contains("needs an operator", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, _bed.Stripe.CallsOf(StripeInvoicingCall.Finalize)); // never finalized, nothing collected
        Assert.Equal("draft", _bed.Stripe.InvoicesFor(subscriber.Job.RunId).Single().Status);
        Assert.Equal(InvoiceRunStep.ItemsCreated, _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)?.Step);
        Assert.Null(_bed.Ledger.InvoicedAt(subscriber.Id, subscriber.Period.Key));
    }

    [Fact]
    public async Task Each_account_and_period_is_its_own_run()
    {
        var first = await _bed.SubscribeProAsync();
        var second = await _bed.SubscribeProAsync(agentRuns: 2_000, tokens: 0);
        _bed.Close(first.Period);

        await _bed.DeliverAsync(first.Job);
        await _bed.DeliverAsync(second.Job);

        _bed.AssertInvoicedOnce(first);
        var other = Assert.Single(_bed.Stripe.InvoicesFor(second.Job.RunId));
        Assert.Equal(3_000, other.Total); // 1,000 x 3
        Assert.Equal(2, _bed.Stripe.Invoices.Count);
        Assert.NotEqual(first.Job.RunId, second.Job.RunId);
    }

    [Fact]
    public async Task A_job_for_an_unknown_account_without_usage_gives_no_run()
    {
        var run = await _bed.DeliverAsync(new InvoiceJob(AccountId.Parse("user-nobody"), UsagePeriodKey.ForCalendarMonth(2026, 10)));

        Assert.Null(run);
        Assert.Empty(_bed.Stripe.Calls);
    }

    [Fact]
    public async Task A_job_whose_index_entry_has_no_counters_settles_the_entry_so_the_next_sweep_does_not_queue_it()
    {
        var id = AccountId.Parse("user-entry-only");
        var period = UsagePeriod.SubscriptionPeriod(At(1, 10, 8, 0), At(2, 10, 8, 0));
        _bed.Ledger.IndexWithoutCounters(id, period); // the first count stopped after the entry, before the counters
        _bed.Time.SetUtcNow(At(2, 11, 2, 0));
        await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Null(await _bed.DeliverAsync(Assert.Single(_bed.Jobs.Drain())));

        Assert.NotNull(_bed.Ledger.InvoicedAt(id, period.Key));
        _bed.Time.SetUtcNow(At(2, 12, 2, 0));
        await _bed.Sweep.RunAsync(CancellationToken.None);
        Assert.Empty(_bed.Jobs.Drain());
        Assert.Empty(_bed.Stripe.Calls);
        Assert.Empty(_bed.Runs.History);
    }

    [Fact]
    public void The_test_catalog_is_what_the_hand_calculations_assume()
    {
        var pro = TestCatalog.Create().Get(PlanCode.Parse("PRO"));
        Assert.Equal(1_000, pro.PolicyFor(UsageTestBed.AgentRuns).Quota);
        Assert.Equal(100_000, pro.PolicyFor(UsageTestBed.Tokens).Quota);
        Assert.Equal("usd", pro.Currency?.Code);
    }

    /// <summary>Stripe's subscription update for the stored account: PRO monthly over [<paramref name="start"/>, <paramref name="end"/>).</summary>
    private static DateTimeOffset At(int month, int day, int hour, int minute) => new(2027, month, day, hour, minute, 0, TimeSpan.Zero);

    /// <summary>A PRO subscription renewed on <paramref name="anchor"/> + 1 month; 1,100 runs counted a minute later in the period projected from the anchor; then Stripe's renewal arrives with <paramref name="realEnd"/>.</summary>
    private async Task<AccountId> RecordThenRenewAsync(DateTimeOffset anchor, DateTimeOffset realEnd)
    {
        var renewal = anchor.AddMonths(1);
        _bed.Time.SetUtcNow(anchor);
        var id = _bed.Usage.Register();
        await RenewAsync(id, anchor, renewal);
        _bed.Time.SetUtcNow(renewal.AddMinutes(1));
        (await _bed.Usage.RecordAsync(id, UsageTestBed.AgentRuns, 1_100)).AssertSucceeded();
        await RenewAsync(id, renewal, realEnd);
        return id;
    }

    /// <summary>When the customer cancels, at once, the subscription of <see cref="ExtendedPeriodAtItsJobAsync"/>.</summary>
    private static readonly DateTimeOffset CancelledAt = At(3, 11, 1, 30);

    /// <summary>
    /// 1,100 runs counted in the period renewed on 10 February, projected to end on 10 March; Stripe's renewal has it end
    /// on 13 March (the account knows). The clock at 11 March 02:00, when the timer's job for the projected end runs.
    /// </summary>
    private async Task<(AccountId Id, InvoiceJob Job)> ExtendedPeriodAtItsJobAsync()
    {
        var id = await RecordThenRenewAsync(At(1, 10, 8, 0), At(3, 13, 8, 0));
        _bed.Time.SetUtcNow(At(3, 11, 2, 0));
        return (id, new InvoiceJob(id, UsagePeriodKey.ForSubscriptionPeriod(At(2, 10, 8, 0))));
    }

    /// <summary><c>customer.subscription.deleted</c> of that subscription, ended at <see cref="CancelledAt"/>, applied through <paramref name="accounts"/>.</summary>
    private Task CancelAsync(AccountId id, IBillingAccountStore? accounts = null) =>
        RenewAsync(id, At(2, 10, 8, 0), At(3, 13, 8, 0), status: SubscriptionStatus.Canceled, endedAt: CancelledAt, accounts: accounts);

    /// <summary>The period ends at the cancellation, and the next day's timer run invoices it with those dates.</summary>
    private async Task AssertEndedAtTheCancellationAndInvoicedTheNextDayAsync(AccountId id, InvoiceJob job)
    {
        Assert.Equal(CancelledAt, (await _bed.Ledger.GetAsync(id, job.PeriodKey, CancellationToken.None))!.Period.End);
        Assert.Empty(_bed.Runs.History);

        _bed.Time.SetUtcNow(At(3, 12, 2, 0));
        await _bed.Sweep.RunAsync(CancellationToken.None);
        var run = (await _bed.DeliverUntilDoneAsync(Assert.Single(_bed.Jobs.Drain()))).Run;

        Assert.Equal(job, new InvoiceJob(id, run.PeriodKey));
        Assert.Equal((At(2, 10, 8, 0), CancelledAt, 100L * 3), (run.PeriodStart, run.PeriodEnd, run.Total)); // 1,100 runs, 1,000 included
        Assert.Single(_bed.Stripe.InvoicesFor(run.RunId));
    }

    /// <summary>The subscription's period as a webhook applies it (so a usage period it ends early moves in the ledger).</summary>
    private async Task RenewAsync(
        AccountId id, DateTimeOffset start, DateTimeOffset end, string subscriptionId = "sub_anchor", string customerId = "cus_anchor", SubscriptionStatus? status = null, DateTimeOffset? endedAt = null,
        IBillingAccountStore? accounts = null, SubscriptionSnapshotOutcome expected = SubscriptionSnapshotOutcome.Applied)
    {
        var applier = new SubscriptionSnapshotApplier(accounts ?? _bed.Usage.Accounts, _bed.Ledger, _bed.Usage.IncludedUnits, _bed.Usage.Catalog, Options.Create(new SubscriptionSyncOptions()), _bed.Time);
        var snapshot = new SubscriptionSnapshot
        {
            SubscriptionId = subscriptionId,
            CustomerId = customerId,
            Status = status ?? SubscriptionStatus.Active,
            PriceId = TestCatalog.ProMonthly,
            Interval = BillingInterval.Month,
            CurrentPeriodStart = start,
            CurrentPeriodEnd = end,
            CanceledAt = endedAt,
            EndedAt = endedAt,
            AsOf = _bed.Time.GetUtcNow(),
        };
        var result = await applier.ApplyAsync(id, snapshot, CancellationToken.None);
        Assert.Equal(expected, result.Outcome);
    }
}
