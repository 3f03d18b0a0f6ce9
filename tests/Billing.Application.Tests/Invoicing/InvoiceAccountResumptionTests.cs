using Billing.Application.Invoicing;
using Billing.Application.Payments;
using Billing.Application.Tests.Fakes;

namespace Billing.Application.Tests.Invoicing;

/// <summary>
/// Exactly once in effect: whatever stops a delivery (a crash at any step boundary, a Stripe failure, a racing
/// delivery) and however late it is redelivered (inside or beyond Stripe's 24-hour idempotency window), the period
/// ends with one finalized invoice and one item per charged meter, at the amounts worked out by hand.
/// </summary>
public sealed class InvoiceAccountResumptionTests
{
    public static readonly TheoryData<string, bool> FaultPoints = Points();

    private readonly InvoicingTestBed _bed = new();

    [Theory]
    [MemberData(nameof(FaultPoints))]
    public async Task A_crash_at_any_step_boundary_resumes_to_exactly_one_invoice(string point, bool keysForgotten)
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Options.FailOnceAt = [point];

        var deliveries = await _bed.DeliverUntilDoneAsync(subscriber.Job, () =>
        {
            if (keysForgotten)
            {
                _bed.Time.Advance(TimeSpan.FromHours(25));
                _bed.Stripe.ForgetIdempotencyKeys();
            }
        });

        var failure = Assert.Single(deliveries.Failures);
        Assert.IsType<InjectedInvoicingFaultException>(failure);
        Assert.Contains(point, failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, deliveries.Count);
        Assert.Equal(InvoiceRunStep.Recorded, deliveries.Run.Step);
        Assert.Equal(2, deliveries.Run.Attempts);
        var invoice = _bed.AssertInvoicedOnce(subscriber);
        await _bed.AssertRecordedAsync(subscriber, invoice);

        // Never a second draft or item, even where Stripe's idempotency would have hidden it: the run knows what it made
        Assert.Equal(1, _bed.Stripe.CallsOf(StripeInvoicingCall.CreateDraft));
        Assert.Equal(2, _bed.Stripe.CallsOf(StripeInvoicingCall.AddItem));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_crash_after_every_Stripe_step_in_turn_still_ends_with_one_invoice(bool keysForgotten)
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Options.FailOnceAt = ["DraftCreatedUnsaved", "ItemsCreatedUnsaved", "FinalizedUnsaved", "Finalized"];

        var deliveries = await _bed.DeliverUntilDoneAsync(subscriber.Job, () =>
        {
            if (keysForgotten)
            {
                _bed.Stripe.ForgetIdempotencyKeys();
            }
        });

        Assert.Equal(5, deliveries.Count);
        Assert.All(deliveries.Failures, f => Assert.IsType<InjectedInvoicingFaultException>(f));
        var invoice = _bed.AssertInvoicedOnce(subscriber);
        await _bed.AssertRecordedAsync(subscriber, invoice);
        Assert.Equal(1, _bed.Stripe.CallsOf(StripeInvoicingCall.CreateDraft));
        Assert.Equal(2, _bed.Stripe.CallsOf(StripeInvoicingCall.AddItem));
    }

    [Fact]
    public async Task Redelivering_without_faults_after_a_crash_makes_no_second_Stripe_object()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Options.FailOnceAt = ["ItemsCreatedUnsaved"];
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => _bed.DeliverAsync(subscriber.Job));
        _bed.Stripe.ForgetIdempotencyKeys();

        // The resumed delivery finds the draft's items by metadata instead of adding them again
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal(InvoiceRunStep.Recorded, run?.Step);
        Assert.Equal(2, _bed.Stripe.CallsOf(StripeInvoicingCall.AddItem));
        Assert.Equal(1, _bed.Stripe.CallsOf(StripeInvoicingCall.ListItems));
        _bed.AssertInvoicedOnce(subscriber);
    }

    [Theory]
    [InlineData(StripeInvoicingCall.CreateDraft, false, false)]
    [InlineData(StripeInvoicingCall.CreateDraft, true, false)]
    [InlineData(StripeInvoicingCall.CreateDraft, true, true)]
    [InlineData(StripeInvoicingCall.AddItem, false, false)]
    [InlineData(StripeInvoicingCall.AddItem, true, false)]
    [InlineData(StripeInvoicingCall.AddItem, true, true)]
    [InlineData(StripeInvoicingCall.Finalize, false, false)]
    [InlineData(StripeInvoicingCall.Finalize, true, false)]
    [InlineData(StripeInvoicingCall.Finalize, true, true)]
    public async Task A_Stripe_failure_once_is_completed_by_the_next_delivery_with_one_invoice(StripeInvoicingCall call, bool afterApplying, bool keysForgotten)
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Stripe.FailOnce(call, afterApplying);

        var deliveries = await _bed.DeliverUntilDoneAsync(subscriber.Job, () =>
        {
            if (keysForgotten)
            {
                _bed.Stripe.ForgetIdempotencyKeys();
            }
        });

        var failure = Assert.IsType<PaymentProviderException>(Assert.Single(deliveries.Failures));
        Assert.True(failure.IsTransient);
        Assert.Equal(2, deliveries.Count);
        var invoice = _bed.AssertInvoicedOnce(subscriber);
        await _bed.AssertRecordedAsync(subscriber, invoice);
    }

    [Fact]
    public async Task A_failure_on_the_second_item_keeps_the_first_and_adds_only_the_second_on_redelivery()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var items = 0;
        _bed.Stripe.BeforeCall = call =>
        {
            if (call == StripeInvoicingCall.AddItem && ++items == 2)
            {
                throw new PaymentProviderException("Stripe answered 503") { IsTransient = true };
            }

            return Task.CompletedTask;
        };

        var deliveries = await _bed.DeliverUntilDoneAsync(subscriber.Job, _bed.Stripe.ForgetIdempotencyKeys);

        Assert.Equal(2, deliveries.Count);
        Assert.Equal(2, _bed.Stripe.ItemsFor(subscriber.Job.RunId).Count);
        _bed.AssertInvoicedOnce(subscriber);
    }

    [Theory]
    [InlineData(StripeInvoicingCall.FindInvoice)]
    [InlineData(StripeInvoicingCall.ListItems)]
    public async Task A_failing_reconciliation_is_retried_without_duplicating_anything(StripeInvoicingCall call)
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Options.FailOnceAt = [call == StripeInvoicingCall.FindInvoice ? "DraftCreatedUnsaved" : "ItemsCreatedUnsaved"];
        var armed = false;

        // The resumed delivery's reconciliation fails (every run looks for its invoice first: the first delivery's must not)
        var deliveries = await _bed.DeliverUntilDoneAsync(subscriber.Job, () =>
        {
            _bed.Stripe.ForgetIdempotencyKeys();
            if (!armed)
            {
                _bed.Stripe.FailOnce(call);
                armed = true;
            }
        });

        Assert.Equal(3, deliveries.Count);
        Assert.IsType<InjectedInvoicingFaultException>(deliveries.Failures[0]);
        Assert.IsType<PaymentProviderException>(deliveries.Failures[1]);
        var invoice = _bed.AssertInvoicedOnce(subscriber);
        await _bed.AssertRecordedAsync(subscriber, invoice);
    }

    [Fact]
    public async Task A_resumed_run_whose_draft_Stripe_says_it_does_not_have_adds_no_step_and_adds_its_items_once_Stripe_has_it_again()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Options.FailOnceAt = [nameof(InvoiceRunStep.DraftCreated)]; // the first delivery stops before adding the items

        // The next delivery reads the draft while Stripe answers "no such invoice" (a key of another account or mode
        // deployed for a while): that is no reason to take the items as added. Once the key is right, the run goes on.
        var wrongKey = true;
        var deliveries = await _bed.DeliverUntilDoneAsync(subscriber.Job, betweenDeliveries: () =>
        {
            if (wrongKey)
            {
                _bed.Stripe.AnswerNotFound();
                wrongKey = false;
            }
        });

        Assert.Equal(InvoiceRunStep.Recorded, deliveries.Run.Step);
        var invoice = _bed.AssertInvoicedOnce(subscriber);
        await _bed.AssertRecordedAsync(subscriber, invoice);
    }

    [Fact]
    public async Task A_resumed_run_whose_draft_the_operator_finalized_before_it_got_items_adds_none_and_records_the_invoice_as_Stripe_has_it()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Options.FailOnceAt = [nameof(InvoiceRunStep.DraftCreated)]; // the first delivery stops after making the draft
        await Assert.ThrowsAsync<InjectedInvoicingFaultException>(() => _bed.DeliverAsync(subscriber.Job));
        var stopped = _bed.Runs.Find(subscriber.Id, subscriber.Period.Key)!;
        await _bed.Stripe.FinalizeAsync(stopped.StripeInvoiceId!, "dashboard-finalize", CancellationToken.None); // the operator ends it

        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((InvoiceRunStep.Recorded, "open", 0L), (run!.Step, run.Status, run.AmountBilled));
        Assert.Empty(_bed.Stripe.ItemsFor(subscriber.Job.RunId)); // Stripe takes no items on a finalized invoice
        _bed.AssertMarkedInvoiced(subscriber.Id, subscriber.Period);
    }

    [Fact]
    public async Task A_crash_between_marking_the_period_and_saving_the_record_resumes_without_Stripe_calls()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        var saves = 0;
        _bed.Runs.BeforeSave = run =>
        {
            if (run.Step == InvoiceRunStep.Recorded && ++saves == 1)
            {
                throw new TimeoutException("the store did not answer");
            }

            return Task.CompletedTask;
        };

        var deliveries = await _bed.DeliverUntilDoneAsync(subscriber.Job);

        Assert.Equal(2, deliveries.Count);
        Assert.Equal(1, _bed.Stripe.CallsOf(StripeInvoicingCall.Finalize));
        var invoice = _bed.AssertInvoicedOnce(subscriber);
        await _bed.AssertRecordedAsync(subscriber, invoice);
    }

    [Fact]
    public async Task Two_deliveries_racing_on_one_run_make_one_invoice_the_loser_conflicts()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();

        // The first delivery stops inside Stripe's invoice creation until the second has finished the whole run
        var firstInStripe = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var drafts = 0;
        _bed.Stripe.BeforeCall = async call =>
        {
            if (call == StripeInvoicingCall.CreateDraft && Interlocked.Increment(ref drafts) == 1)
            {
                firstInStripe.SetResult();
                await secondDone.Task;
            }
        };

        var first = _bed.DeliverAsync(subscriber.Job);
        await firstInStripe.Task;
        var second = await _bed.DeliverAsync(subscriber.Job);
        secondDone.SetResult();

        Assert.Equal(InvoiceRunStep.Recorded, second?.Step);
        await Assert.ThrowsAsync<InvoiceRunConflictException>(() => first);
        var invoice = _bed.AssertInvoicedOnce(subscriber);
        await _bed.AssertRecordedAsync(subscriber, invoice);

        // Its redelivery finds the run done
        var redelivered = await _bed.DeliverAsync(subscriber.Job);
        Assert.Equal(InvoiceRunStep.Recorded, redelivered?.Step);
        Assert.Single(_bed.Stripe.InvoicesFor(subscriber.Job.RunId));
    }

    [Fact]
    public async Task Two_deliveries_starting_the_same_run_store_one_and_the_second_to_save_conflicts()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();

        // Both price the period and create the run; the first to save its attempt goes on, the other conflicts
        var bothCreated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = 0;
        _bed.Runs.BeforeSave = async run =>
        {
            if (run.Attempts == 1 && Interlocked.Increment(ref waiting) is var arrived and <= 2)
            {
                if (arrived == 2)
                {
                    bothCreated.SetResult();
                }

                await bothCreated.Task;
            }
        };

        var outcomes = await Task.WhenAll(Outcome(_bed.DeliverAsync(subscriber.Job)), Outcome(_bed.DeliverAsync(subscriber.Job)));

        Assert.Single(outcomes, o => o is InvoiceRun { Step: InvoiceRunStep.Recorded });
        Assert.Single(outcomes, o => o is InvoiceRunConflictException);
        Assert.Single(_bed.Runs.History, r => r.Attempts == 0); // created once
        var invoice = _bed.AssertInvoicedOnce(subscriber);
        await _bed.AssertRecordedAsync(subscriber, invoice);
    }

    [Fact]
    public async Task Many_concurrent_deliveries_of_many_jobs_end_with_one_invoice_per_account()
    {
        var subscribers = new List<Subscriber>();
        for (var i = 0; i < 6; i++)
        {
            subscribers.Add(await _bed.SubscribeProAsync());
        }

        _bed.Close(subscribers[0].Period);
        _bed.Stripe.BeforeCall = async _ => await Task.Delay(Random.Shared.Next(0, 3));

        // Four copies of every job at once, as duplicate timer runs and redeliveries may give; then the queue retries the losers
        var deliveries = subscribers.SelectMany(s => Enumerable.Repeat(s.Job, 4)).Select(job => Task.Run(() => Outcome(_bed.DeliverAsync(job))));
        var outcomes = await Task.WhenAll(deliveries);
        Assert.All(outcomes, o => Assert.True(o is InvoiceRun or InvoiceRunConflictException, $"unexpected outcome {o}"));
        foreach (var subscriber in subscribers)
        {
            await _bed.DeliverUntilDoneAsync(subscriber.Job);
        }

        foreach (var subscriber in subscribers)
        {
            var invoice = _bed.AssertInvoicedOnce(subscriber);
            await _bed.AssertRecordedAsync(subscriber, invoice);
        }

        Assert.Equal(subscribers.Count, _bed.Stripe.Invoices.Count);
        Assert.Equal(subscribers.Count * 2, _bed.Stripe.Items.Count);
    }

    private static async Task<object?> Outcome(Task<InvoiceRun?> delivery)
    {
        try
        {
            return await delivery;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    private static TheoryData<string, bool> Points()
    {
        var data = new TheoryData<string, bool>();
        foreach (var point in new[] { "Computed", "CreditApplied", "CreditAppliedUnsaved", "DraftCreated", "DraftCreatedUnsaved", "ItemsCreated", "ItemsCreatedUnsaved", "Finalized", "FinalizedUnsaved" })
        {
            data.Add(point, false);
            data.Add(point, true);
        }

        return data;
    }
}
