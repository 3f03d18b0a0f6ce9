using Billing.Application.Invoicing;
using Billing.Application.Payments;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Extensions.Logging;

namespace Billing.Application.Tests.Invoicing;

/// <summary>The timer's sweep: one job per closed, not yet invoiced period of the look-back window; safe to run twice.</summary>
public sealed class InvoicingSweepTests
{
    /// <summary>The timer fires at 02:00 UTC on 10 Dec 2026; the default 35-day window reaches back to 5 Nov.</summary>
    private static readonly DateTimeOffset Now = new(2026, 12, 10, 2, 0, 0, TimeSpan.Zero);

    /// <summary>The last run before an outage: 1 Nov 02:00, 39 days before <see cref="Now"/>.</summary>
    private static readonly DateTimeOffset LastRun = new(2026, 11, 1, 2, 0, 0, TimeSpan.Zero);

    private readonly InvoicingTestBed _bed = new();

    [Fact]
    public async Task Queues_the_closed_periods_not_invoiced_within_the_look_back_window_only()
    {
        _bed.Time.SetUtcNow(Now);
        var yesterday = Period("2026-12-08T08:00:00Z", "2026-12-09T08:00:00Z");
        var todayEarlier = Period("2026-11-10T01:30:00Z", "2026-12-10T01:30:00Z");
        var endingNow = Period("2026-11-10T02:00:00Z", "2026-12-10T02:00:00Z"); // closed, but records of its last moments may still be counted
        var settledJustNow = Period("2026-11-10T01:50:00Z", "2026-12-10T01:50:00Z"); // closed SettleTime (10 minutes) ago
        var todayLater = Period("2026-11-10T18:00:00Z", "2026-12-10T18:00:00Z");
        var future = Period("2026-11-15T00:00:00Z", "2026-12-15T00:00:00Z");
        var calendarNovember = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var firstDayOfWindow = Period("2026-10-05T00:00:00Z", "2026-11-05T00:00:00Z");
        var beforeWindow = Period("2026-10-04T23:00:00Z", "2026-11-04T23:59:59Z");
        var invoiced = Period("2026-11-05T12:00:00Z", "2026-12-05T12:00:00Z");

        var expected = new List<InvoiceJob>();
        foreach (var period in new[] { yesterday, todayEarlier, settledJustNow, calendarNovember, firstDayOfWindow })
        {
            expected.Add(new InvoiceJob(Count(period), period.Key));
        }

        var notQueued = new[] { endingNow, todayLater, future, beforeWindow }.Select(p => new InvoiceJob(Count(p), p.Key)).ToList();
        var done = Count(invoiced);
        await _bed.Ledger.MarkPeriodInvoicedAsync(done, invoiced.Key, invoiced.End, CancellationToken.None);

        var result = await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new InvoicingSweepResult(36, 5), result);
        Assert.Equal(expected.OrderBy(j => j.RunId), _bed.Jobs.Jobs.OrderBy(j => j.RunId));
        var closingDays = new[] { yesterday, todayEarlier, settledJustNow, calendarNovember, firstDayOfWindow }.ToDictionary(p => p.Key, p => DateOnly.FromDateTime(p.End.UtcDateTime));
        var queuedDays = _bed.Jobs.Jobs.Select(j => closingDays[j.PeriodKey]).ToList();
        Assert.Equal(queuedDays.OrderDescending(), queuedDays); // newest closing day first: a run cut short has queued the most recent
        Assert.DoesNotContain(_bed.Jobs.Jobs, j => notQueued.Contains(j) || j.AccountId == done);
    }

    [Theory]
    [InlineData(1, 2, 2)] // today and yesterday
    [InlineData(3, 4, 3)] // ... and 2 days back; 3 days back had one (the 7 Dec one)
    [InlineData(400, 401, 4)] // ... everything
    public async Task The_look_back_window_is_a_setting(int lookbackDays, int daysScanned, int queued)
    {
        _bed.Time.SetUtcNow(Now);
        _bed.Options.LookbackDays = lookbackDays;
        foreach (var end in new[] { "2026-12-10T01:00:00Z", "2026-12-09T01:00:00Z", "2026-12-07T01:00:00Z", "2026-01-01T00:00:00Z" })
        {
            var endsAt = DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture);
            Count(UsagePeriod.SubscriptionPeriod(endsAt.AddMonths(-1), endsAt));
        }

        var result = await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new InvoicingSweepResult(daysScanned, queued), result);
        Assert.Equal(queued, _bed.Jobs.Messages.Count);
    }

    /// <summary>
    /// A period that closes late in a day settles after midnight: a timer run just after midnight finds it not settled,
    /// and the next day's run must still look back to its closing day, whatever the schedule and however short the window.
    /// </summary>
    [Theory]
    [InlineData(1, "00:10:00", "2026-12-10T23:55:00Z", "2026-12-12T00:00:00Z")] // a timer at midnight
    [InlineData(1, "02:00:00", "2026-12-10T23:00:00Z", "2026-12-12T00:30:00Z")]
    [InlineData(1, "1.00:00:00", "2026-12-10T06:00:00Z", "2026-12-12T02:00:00Z")] // the longest settle time, the default schedule
    public async Task A_period_not_settled_at_one_run_is_still_in_the_window_of_the_next_days_run(int lookbackDays, string settleTime, string end, string nextRun)
    {
        _bed.Options.LookbackDays = lookbackDays;
        _bed.Options.SettleTime = TimeSpan.Parse(settleTime, System.Globalization.CultureInfo.InvariantCulture);
        var endsAt = DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture);
        var period = UsagePeriod.SubscriptionPeriod(endsAt.AddMonths(-1), endsAt);
        var account = Count(period);
        var runAt = DateTimeOffset.Parse(nextRun, System.Globalization.CultureInfo.InvariantCulture);

        _bed.Time.SetUtcNow(runAt.AddDays(-1));
        await _bed.Sweep.RunAsync(CancellationToken.None);
        Assert.Empty(_bed.Jobs.Jobs); // not settled yet

        _bed.Time.SetUtcNow(runAt);
        await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal([new InvoiceJob(account, period.Key)], _bed.Jobs.Jobs);
    }

    /// <summary>
    /// The app was stopped (a failed deployment, a paused plan) from just after the run of 1 Nov 02:00 until 10 Dec 02:00,
    /// longer than the 35-day window: the first run after it (the host's one past-due run) must queue every period that
    /// closed since the last successful run, not only those of the last 35 days.
    /// </summary>
    [Fact]
    public async Task After_an_outage_longer_than_the_window_the_first_run_reads_back_to_the_last_successful_run()
    {
        await SucceededAtAsync(LastRun);
        _bed.Time.SetUtcNow(Now);
        var closedAfterLastRun = Period("2026-10-01T03:00:00Z", "2026-11-01T03:00:00Z");
        var closedDuringOutage = Period("2026-10-03T00:00:00Z", "2026-11-03T00:00:00Z");
        var lastDayBeforeWindow = Period("2026-10-04T23:00:00Z", "2026-11-04T23:59:59Z");
        var inWindow = Period("2026-11-08T08:00:00Z", "2026-12-08T08:00:00Z");
        var expected = new[] { closedAfterLastRun, closedDuringOutage, lastDayBeforeWindow, inWindow }.Select(p => new InvoiceJob(Count(p), p.Key)).ToList();

        var result = await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(expected.OrderBy(j => j.RunId), _bed.Jobs.Jobs.OrderBy(j => j.RunId));
        Assert.Equal(new InvoicingSweepResult(40, 4), result); // 1 Nov to 10 Dec
        var warning = Assert.Single(_bed.SweepLog.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("reading the closing days from 2026-11-01 to catch up", warning.Message, StringComparison.Ordinal);
        Assert.Equal(new DateOnly(2026, 12, 10), _bed.Marks.Stored?.ReadAgainFrom);
    }

    /// <summary>
    /// The first run after the outage (10 Dec) fails mid-run: the queue goes away after the two most recent periods were
    /// queued. The next day's run must still queue the periods that closed early in the outage, beyond its window.
    /// </summary>
    [Fact]
    public async Task A_catch_up_run_that_fails_is_caught_up_by_the_next_days_run()
    {
        await SucceededAtAsync(LastRun);
        _bed.Time.SetUtcNow(Now);
        var earlyInOutage = new[] { Period("2026-10-01T03:00:00Z", "2026-11-01T03:00:00Z"), Period("2026-10-03T00:00:00Z", "2026-11-03T00:00:00Z") };
        var inWindow = new[] { Period("2026-11-08T08:00:00Z", "2026-12-08T08:00:00Z"), Period("2026-11-09T08:00:00Z", "2026-12-09T08:00:00Z") };
        var early = earlyInOutage.Select(p => new InvoiceJob(Count(p), p.Key)).ToList();
        foreach (var period in inWindow)
        {
            Count(period);
        }

        _bed.Jobs.Failure = new TimeoutException("the queue did not answer");
        _bed.Jobs.FailAfter = 2;
        await Assert.ThrowsAsync<TimeoutException>(() => _bed.Sweep.RunAsync(CancellationToken.None));
        Assert.Equal(2, _bed.Jobs.Drain().Count); // the two most recent
        Assert.Equal(new DateOnly(2026, 11, 1), _bed.Marks.Stored?.ReadAgainFrom); // not moved by the failed run

        _bed.Jobs.Failure = null;
        _bed.Time.SetUtcNow(Now.AddDays(1));
        await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(early.OrderBy(j => j.RunId), _bed.Jobs.Jobs.Where(j => early.Contains(j)).OrderBy(j => j.RunId));
        Assert.Equal(4, _bed.Jobs.Jobs.Count);
        Assert.Equal(new DateOnly(2026, 12, 11), _bed.Marks.Stored?.ReadAgainFrom);
    }

    [Fact]
    public async Task A_successful_run_moves_the_mark_and_the_next_daily_run_reads_its_usual_window()
    {
        await SucceededAtAsync(LastRun);
        _bed.Time.SetUtcNow(Now);
        await _bed.Sweep.RunAsync(CancellationToken.None); // the catch-up, 40 days

        _bed.Time.SetUtcNow(Now.AddDays(1));
        var next = await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new InvoicingSweepResult(36, 0), next);
        Assert.Single(_bed.SweepLog.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning); // the catch-up's only
        Assert.Equal(new DateOnly(2026, 12, 11), _bed.Marks.Stored?.ReadAgainFrom);
    }

    [Fact]
    public async Task Without_a_mark_a_new_deployments_first_run_reads_its_window_and_sets_the_mark()
    {
        _bed.Time.SetUtcNow(Now);
        Count(Period("2026-10-01T03:00:00Z", "2026-11-01T03:00:00Z"));

        var result = await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new InvoicingSweepResult(36, 0), result);
        Assert.Equal(new DateOnly(2026, 12, 10), _bed.Marks.Stored?.ReadAgainFrom);
    }

    /// <summary>The settle time reaches back over midnight: the mark is the day of now - SettleTime, whose later periods had not settled.</summary>
    [Fact]
    public async Task The_mark_is_the_day_whose_periods_may_settle_later()
    {
        _bed.Options.SettleTime = TimeSpan.FromHours(3);

        await SucceededAtAsync(Now);

        Assert.Equal(new DateOnly(2026, 12, 9), _bed.Marks.Stored?.ReadAgainFrom);
    }

    [Fact]
    public async Task A_run_catching_up_reads_at_most_400_days_back()
    {
        await SucceededAtAsync(Now.AddDays(-500));
        _bed.Time.SetUtcNow(Now);
        var withinReach = Period("2025-10-06T00:00:00Z", "2025-11-06T00:00:00Z"); // 399 days before 10 Dec 2026
        var beyondReach = Period("2025-10-04T00:00:00Z", "2025-11-04T00:00:00Z"); // 401 days before
        var expected = new InvoiceJob(Count(withinReach), withinReach.Key);
        Count(beyondReach);

        var result = await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new InvoicingSweepResult(401, 1), result);
        Assert.Equal([expected], _bed.Jobs.Jobs);
        var warning = Assert.Single(_bed.SweepLog.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("reading the closing days from 2025-11-05 to catch up", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_daily_run_with_a_one_day_window_reads_its_usual_window()
    {
        _bed.Options.LookbackDays = 1;
        await SucceededAtAsync(Now.AddDays(-1));
        _bed.Time.SetUtcNow(Now);

        var result = await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new InvoicingSweepResult(2, 0), result);
        Assert.DoesNotContain(_bed.SweepLog.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task A_last_success_within_the_window_changes_nothing()
    {
        await SucceededAtAsync(Now.AddDays(-3));
        _bed.Time.SetUtcNow(Now);
        var beforeWindow = Period("2026-10-04T23:00:00Z", "2026-11-04T23:59:59Z");
        Count(beforeWindow);

        var result = await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new InvoicingSweepResult(36, 0), result);
    }

    /// <summary>Two instances ran the timer: the later run wrote its mark first; the earlier one, finishing after it, does not move the mark back.</summary>
    [Fact]
    public async Task A_run_that_finishes_after_a_later_one_does_not_move_the_mark_back()
    {
        await SucceededAtAsync(LastRun);
        _bed.Time.SetUtcNow(Now);
        _bed.Marks.BeforeWrite = () => _bed.Marks.MoveForwardAsync(new DateOnly(2026, 12, 11), CancellationToken.None);

        await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new DateOnly(2026, 12, 11), _bed.Marks.Stored?.ReadAgainFrom);
    }

    [Fact]
    public async Task Periods_still_open_or_invoiced_already_queue_nothing()
    {
        _bed.Time.SetUtcNow(Now);
        Count(Period("2026-11-10T18:00:00Z", "2026-12-10T18:00:00Z")); // closes later today
        var invoiced = Period("2026-11-09T12:00:00Z", "2026-12-09T12:00:00Z");
        await _bed.Ledger.MarkPeriodInvoicedAsync(Count(invoiced), invoiced.Key, invoiced.End, CancellationToken.None);

        var result = await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(0, result.Queued);
        Assert.Empty(_bed.Jobs.Messages);
    }

    [Fact]
    public async Task Running_twice_queues_duplicates_that_change_nothing_when_run()
    {
        var subscribers = new List<Subscriber>
        {
            await _bed.SubscribeProAsync(),
            await _bed.SubscribeProAsync(agentRuns: 1_100, tokens: 0),
            await _bed.SubscribeProAsync(agentRuns: 5, tokens: 5), // nothing to bill
        };
        _bed.Close(subscribers[0].Period);

        var first = await _bed.Sweep.RunAsync(CancellationToken.None);
        var second = await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal((3, 3), (first.Queued, second.Queued));
        var jobs = _bed.Jobs.Drain();
        Assert.Equal(6, jobs.Count);
        foreach (var job in jobs)
        {
            Assert.True((await _bed.DeliverAsync(job))?.IsDone);
        }

        // 1,250 and 112,000 as always; 100 runs x 3 = 300 and nothing for tokens; the third account nothing at all
        _bed.AssertInvoicedOnce(subscribers[0]);
        var smaller = Assert.Single(_bed.Stripe.InvoicesFor(subscribers[1].Job.RunId));
        Assert.Equal(300, smaller.Total);
        Assert.Empty(_bed.Stripe.InvoicesFor(subscribers[2].Job.RunId));
        Assert.Equal(2, _bed.Stripe.Invoices.Count);
        Assert.Equal(3, _bed.Stripe.Items.Count);
        Assert.Equal(InvoiceRunStep.NothingToBill, _bed.Runs.Find(subscribers[2].Id, subscribers[2].Period.Key)?.Step);

        // Every period is marked: the next timer run finds nothing
        var third = await _bed.Sweep.RunAsync(CancellationToken.None);
        Assert.Equal(0, third.Queued);
        Assert.Empty(_bed.Jobs.Messages);
    }

    [Fact]
    public async Task A_period_whose_job_failed_is_queued_again_by_the_next_run()
    {
        var subscriber = await _bed.ClosedProPeriodAsync();
        _bed.Stripe.FailOnce(StripeInvoicingCall.CreateDraft);
        await _bed.Sweep.RunAsync(CancellationToken.None);
        var job = Assert.Single(_bed.Jobs.Drain());
        await Assert.ThrowsAsync<PaymentProviderException>(() => _bed.DeliverAsync(job)); // and the queue gives up on it, say

        _bed.Time.Advance(TimeSpan.FromDays(1));
        await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal([subscriber.Job], _bed.Jobs.Drain());
        await _bed.DeliverAsync(subscriber.Job);
        _bed.AssertInvoicedOnce(subscriber);
    }

    [Fact]
    public async Task A_queue_failure_fails_the_timer_run()
    {
        await _bed.ClosedProPeriodAsync();
        _bed.Jobs.Failure = new TimeoutException("the queue did not answer");

        await Assert.ThrowsAsync<TimeoutException>(() => _bed.Sweep.RunAsync(CancellationToken.None));
    }

    /// <summary>
    /// A run marks the next month's run index complete when that month begins a day or more later, so every run of the
    /// month is created by a version that names it (a deploy has replaced the instances of a version without the index by
    /// then); the current month, whose runs an earlier version may have created, is left to a backfill.
    /// </summary>
    [Theory]
    [InlineData("2026-12-10T02:00:00Z", "2027-01")]
    [InlineData("2026-12-30T23:59:59Z", "2027-01")] // a day and a second before January
    [InlineData("2026-12-31T00:00:00Z", "2027-01")] // exactly a day before
    [InlineData("2026-11-30T00:00:00Z", "2026-12")]
    public async Task A_run_a_day_or_more_before_the_next_month_marks_that_months_run_index_complete_and_no_other(string at, string next)
    {
        var now = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(BillingMonth.TryParse(next, out var month));
        _bed.Time.SetUtcNow(now);

        await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(now, await _bed.Runs.GetMonthIndexCompletedAsync(month, CancellationToken.None));
        Assert.Null(await _bed.Runs.GetMonthIndexCompletedAsync(BillingMonth.Of(now), CancellationToken.None));
    }

    [Theory]
    [InlineData("2026-12-31T00:00:01Z", "2027-01")] // less than a day before January: an older instance may still run then
    [InlineData("2026-12-31T02:00:00Z", "2027-01")]
    [InlineData("2027-01-01T00:00:00Z", "2027-01")] // January has begun
    public async Task A_run_less_than_a_day_before_the_next_month_marks_nothing(string at, string next)
    {
        Assert.True(BillingMonth.TryParse(next, out var month));
        _bed.Time.SetUtcNow(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));

        await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.Null(await _bed.Runs.GetMonthIndexCompletedAsync(month, CancellationToken.None));
        Assert.Null(await _bed.Runs.GetMonthIndexCompletedAsync(month.Next, CancellationToken.None));
    }

    [Fact]
    public async Task Later_runs_keep_the_first_mark_of_the_next_month()
    {
        _bed.Time.SetUtcNow(Now);
        await _bed.Sweep.RunAsync(CancellationToken.None);
        _bed.Time.Advance(TimeSpan.FromDays(1));

        await _bed.Sweep.RunAsync(CancellationToken.None);

        Assert.True(BillingMonth.TryParse("2027-01", out var january));
        Assert.Equal(Now, await _bed.Runs.GetMonthIndexCompletedAsync(january, CancellationToken.None));
    }

    /// <summary>
    /// The mark a successful run at <paramref name="at"/> left (the test bed's clock starts later, on 21 Nov, so earlier
    /// runs are written as their mark): the day of <paramref name="at"/> less the settle time.
    /// </summary>
    private async Task SucceededAtAsync(DateTimeOffset at)
    {
        if (at >= _bed.Time.GetUtcNow())
        {
            _bed.Time.SetUtcNow(at);
            await _bed.Sweep.RunAsync(CancellationToken.None);
            _bed.Jobs.Drain();
            _bed.SweepLog.Collector.Clear();
            return;
        }

        var readAgainFrom = DateOnly.FromDateTime((at - _bed.Options.SettleTime).UtcDateTime);
        await _bed.Marks.MoveForwardAsync(readAgainFrom, CancellationToken.None);
    }

    /// <summary>Counts one agent run of a new PRO account in <paramref name="period"/> (creating its index entry).</summary>
    private AccountId Count(UsagePeriod period)
    {
        var id = UsageTestBed.NewAccountId();
        _bed.Ledger.Set(id, period, UsageTestBed.AgentRuns, 1, PlanCode.Parse("PRO"), 1_000);
        return id;
    }

    private static UsagePeriod Period(string start, string end) => UsagePeriod.SubscriptionPeriod(
        DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture));
}
