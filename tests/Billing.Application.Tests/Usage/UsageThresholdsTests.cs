using Billing.Application;
using Billing.Application.Outcomes;
using Billing.Application.Tests.Fakes;
using Billing.Application.Usage;
using Billing.Domain.Credits;
using Billing.Domain.Plans.Configuration;
using Billing.TestSupport;
using Microsoft.Extensions.Logging;
using static Billing.Application.Tests.Fakes.UsageTestBed;

namespace Billing.Application.Tests.Usage;

public sealed class UsageThresholdsTests
{
    private readonly UsageTestBed _bed = new();

    [Theory]
    [InlineData(10, 80, 8)]
    [InlineData(10, 100, 10)]
    [InlineData(7, 80, 6)] // 5.6 rounds up
    [InlineData(1_000, 80, 800)]
    [InlineData(999, 80, 800)] // 799.2 rounds up
    [InlineData(5, 50, 3)]
    [InlineData(1, 80, 1)]
    [InlineData(3, 1, 1)] // never below one unit
    [InlineData(100_000, 100, 100_000)]
    [InlineData(long.MaxValue, 100, long.MaxValue)] // no overflow, whatever the quota
    [InlineData(long.MaxValue, 80, 7_378_697_629_483_820_646)]
    public void A_threshold_is_reached_at_its_share_of_the_limit_rounded_up(long limit, int percent, long reachedAt)
    {
        Assert.Equal(reachedAt, UsageThresholds.ReachedAt(limit, percent));
    }

    [Fact]
    public async Task Eighty_and_one_hundred_percent_of_a_hard_limit_send_one_notification_each()
    {
        var account = _bed.Register();
        var sentAfter = new List<int>();

        for (var i = 1; i <= 11; i++)
        {
            await _bed.RecordAsync(account, AgentRuns, 1);
            sentAfter.Add(_bed.Notifications.Sent.Count);
        }

        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2], sentAfter); // the 11th is refused
        var (eighty, hundred) = (_bed.Notifications.Sent[0], _bed.Notifications.Sent[1]);
        Assert.Equal($"usage-threshold:{account}:month-2026-11:agent_runs:80", eighty.Id);
        Assert.Equal(UsageThresholdReached.EventType, eighty.Type);
        Assert.Equal((account.Value, "agent_runs", 80, 8L, 10L, true, "FREE"), (eighty.AccountId, eighty.Meter, eighty.Threshold, eighty.Used, eighty.Limit, eighty.HardLimit, eighty.Plan));
        Assert.Equal(("month-2026-11", _bed.CurrentMonth.Start, _bed.CurrentMonth.End, Start), (eighty.PeriodKey, eighty.PeriodStart, eighty.PeriodEnd, eighty.OccurredAt));
        Assert.Equal((100, 10L), (hundred.Threshold, hundred.Used));
        Assert.Equal($"usage-threshold:{account}:month-2026-11:agent_runs:100", hundred.Id);
        Assert.Equal([80, 100], _bed.Ledger.MarksOf(account, _bed.CurrentMonth.Key, AgentRuns));
    }

    [Fact]
    public async Task The_threshold_is_reached_at_the_rounded_up_count()
    {
        var options = TestCatalog.Options();
        options.Plan("FREE").Meters["agent_runs"] = new MeterOptions { Quota = 7 };
        var bed = new UsageTestBed(options);
        var account = bed.Register();

        await bed.RecordAsync(account, AgentRuns, 5);
        Assert.Empty(bed.Notifications.Sent);
        await bed.RecordAsync(account, AgentRuns, 1);

        var sent = Assert.Single(bed.Notifications.Sent);
        Assert.Equal((80, 6L, 7L), (sent.Threshold, sent.Used, sent.Limit));
    }

    [Fact]
    public async Task One_record_passing_both_thresholds_sends_both()
    {
        var account = _bed.Register();

        await _bed.RecordAsync(account, AgentRuns, 10);

        Assert.Equal([(80, 10L), (100, 10L)], _bed.Notifications.Sent.Select(n => (n.Threshold, n.Used)));
    }

    [Fact]
    public async Task Each_meter_and_period_is_notified_on_its_own()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 8);
        await _bed.RecordAsync(account, Tokens, 800);
        _bed.Time.SetUtcNow(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
        await _bed.RecordAsync(account, AgentRuns, 8);

        Assert.Equal(
            [("agent_runs", "month-2026-11"), ("tokens", "month-2026-11"), ("agent_runs", "month-2026-12")],
            _bed.Notifications.Sent.Select(n => (n.Meter, n.PeriodKey)));
    }

    [Fact]
    public async Task The_included_units_of_an_overage_meter_are_the_limit_of_its_thresholds()
    {
        var (account, period) = _bed.Subscribe(TestCatalog.ProMonthly);

        await _bed.RecordAsync(account, Tokens, 79_999);
        Assert.Empty(_bed.Notifications.Sent);
        await _bed.RecordAsync(account, Tokens, 1);
        await _bed.RecordAsync(account, Tokens, 50_000);
        await _bed.RecordAsync(account, Tokens, 50_000);

        Assert.Equal([(80, 80_000L), (100, 130_000L)], _bed.Notifications.Sent.Select(n => (n.Threshold, n.Used)));
        Assert.All(_bed.Notifications.Sent, n => Assert.Equal((100_000L, false, "PRO", period.Key.Value), (n.Limit, n.HardLimit, n.Plan, n.PeriodKey)));
    }

    [Fact]
    public async Task Meters_without_a_limit_send_nothing()
    {
        var account = _bed.Register();

        await _bed.RecordAsync(account, ApiCalls, 1_000_000);
        await _bed.RecordAsync(account, ApiCalls, 1);

        Assert.Empty(_bed.Notifications.Sent);
        Assert.Equal(0, _bed.Ledger.MarkCalls);
    }

    [Fact]
    public async Task A_notification_that_could_not_be_queued_is_sent_by_the_next_count()
    {
        var account = _bed.Register();
        _bed.Notifications.FailWith = new InvalidOperationException("queue unavailable");

        var recorded = await _bed.RecordAsync(account, AgentRuns, 8);

        Assert.Equal(8, recorded.AssertSucceeded().Used); // usage is never refused because a notification failed
        Assert.Equal(1, _bed.Notifications.Attempts);
        Assert.Empty(_bed.Ledger.MarksOf(account, _bed.CurrentMonth.Key, AgentRuns)); // the mark was cleared

        _bed.Notifications.FailWith = null;
        await _bed.RecordAsync(account, AgentRuns, 1);
        await _bed.RecordAsync(account, AgentRuns, 1);

        Assert.Equal([(80, 9L), (100, 10L)], _bed.Notifications.Sent.Select(n => (n.Threshold, n.Used)));
    }

    [Fact]
    public async Task A_notification_lost_for_the_period_is_logged_as_an_error_with_the_account_period_and_meter_to_act_on()
    {
        var account = _bed.Register();
        _bed.Notifications.FailWith = new InvalidOperationException("queue unavailable");
        _bed.Ledger.FailUnmarkWith = new InvalidOperationException("store unavailable");

        (await _bed.RecordAsync(account, AgentRuns, 8)).AssertSucceeded();

        var notSent = Assert.Single(_bed.ThresholdsLog.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        var lost = Assert.Single(_bed.ThresholdsLog.Collector.GetSnapshot(), r => r.Level == LogLevel.Error);
        foreach (var record in new[] { notSent, lost })
        {
            Assert.Equal(
                (account.Value, _bed.CurrentMonth.Key.Value, "agent_runs", "80"),
                (record.GetStructuredStateValue("AccountId"), record.GetStructuredStateValue("PeriodKey"), record.GetStructuredStateValue("Meter"), record.GetStructuredStateValue("Percent")));
        }
    }

    [Fact]
    public async Task A_failed_notification_at_the_hard_limit_is_sent_by_the_next_refused_attempt()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 8);
        _bed.Notifications.FailWith = new InvalidOperationException("queue unavailable");
        await _bed.RecordAsync(account, AgentRuns, 2); // reaches 100%: not sent
        _bed.Notifications.FailWith = null;

        var refused = await _bed.RecordAsync(account, AgentRuns, 1); // no count can follow: the limit is reached

        Assert.Equal(RefusalReason.QuotaExceeded, refused.AssertRefused().Reason);
        Assert.Equal([(80, 8L), (100, 10L)], _bed.Notifications.Sent.Select(n => (n.Threshold, n.Used)));
        Assert.Equal(10, _bed.Used(account, _bed.CurrentMonth, AgentRuns));
    }

    [Fact]
    public async Task A_failed_mark_only_delays_the_notification()
    {
        var account = _bed.Register();
        _bed.Ledger.FailMarkWith = new InvalidOperationException("store unavailable");

        var recorded = await _bed.RecordAsync(account, AgentRuns, 8);

        Assert.Equal(8, recorded.AssertSucceeded().Used);
        Assert.Equal(0, _bed.Notifications.Attempts);
        _bed.Ledger.FailMarkWith = null;
        await _bed.RecordAsync(account, AgentRuns, 1);
        Assert.Equal([80], _bed.Notifications.Sent.Select(n => n.Threshold));
    }

    [Theory]
    [InlineData("connection reset")]
    [InlineData("timed out")] // Cosmos DB's 408, as its adapter throws it
    [InlineData("cancelled")]
    public async Task A_mark_whose_answer_was_lost_or_cancelled_is_cleared_so_the_next_count_still_sends_the_notification(string lost)
    {
        var account = _bed.Register();
        var cancelled = lost == "cancelled";
        _bed.Ledger.LoseMarkAnswerWith = lost switch
        {
            "cancelled" => new OperationCanceledException("the caller went away after the mark was sent"),
            "timed out" => new ServiceUnavailableException("Cosmos DB did not answer the request in time (408); it may have been done.") { MayHaveBeenDone = true },
            _ => new HttpRequestException("connection reset after the request was sent"),
        };

        var record = _bed.RecordAsync(account, AgentRuns, 8); // the store counted and marked 80 %, but the caller cannot know
        if (cancelled)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => record);
        }
        else
        {
            (await record).AssertSucceeded();
        }

        Assert.Equal((8L, 0), (_bed.Used(account, _bed.CurrentMonth, AgentRuns), _bed.Notifications.Attempts));
        _bed.Ledger.LoseMarkAnswerWith = null;
        await _bed.RecordAsync(account, AgentRuns, 1);
        Assert.Equal([80], _bed.Notifications.Sent.Select(n => n.Threshold));
    }

    [Fact]
    public async Task A_retry_of_a_record_whose_caller_went_away_before_its_notification_sends_it()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 7);
        _bed.Ledger.LoseMarkAnswerWith = new OperationCanceledException("the caller went away after the count");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bed.RecordAsync(account, AgentRuns, 1, key: "run-8"));
        _bed.Ledger.LoseMarkAnswerWith = null;
        Assert.Equal(0, _bed.Notifications.Attempts);

        var retried = await _bed.RecordAsync(account, AgentRuns, 1, key: "run-8"); // the meter's last record this period
        var again = await _bed.RecordAsync(account, AgentRuns, 1, key: "run-8");

        Assert.True(retried.AssertSucceeded().Replayed);
        Assert.True(again.AssertSucceeded().Replayed);
        Assert.Equal([(80, 8L)], _bed.Notifications.Sent.Select(n => (n.Threshold, n.Used))); // once, as of the count
        Assert.Equal(8, _bed.Used(account, _bed.CurrentMonth, AgentRuns));
    }

    [Fact]
    public async Task A_retry_sends_the_thresholds_its_first_count_reached_of_that_counts_limit_though_an_add_on_raised_it_since()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 7);
        _bed.Ledger.LoseMarkAnswerWith = new OperationCanceledException("the caller went away after the count");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bed.RecordAsync(account, AgentRuns, 1, key: "run-8"));
        _bed.Ledger.LoseMarkAnswerWith = null;
        var now = _bed.Time.GetUtcNow();
        var addOn = new MeterAddOn { GrantId = "cs:more", Code = "RUNS_100", Meter = AgentRuns, Units = 100, GrantedAt = now, PeriodKey = _bed.CurrentMonth.Key, PaymentIntentId = "pi_more" };
        await _bed.Accounts.UpdateAsync(account, a => a.GrantAddOn(addOn), CancellationToken.None); // 110 runs from now on

        var retried = await _bed.RecordAsync(account, AgentRuns, 1, key: "run-8");

        Assert.True(retried.AssertSucceeded().Replayed);
        Assert.Equal([(80, 8L, 10L)], _bed.Notifications.Sent.Select(n => (n.Threshold, n.Used, n.Limit))); // 80 % of the 10 it was counted against
    }

    [Fact]
    public async Task A_retry_after_an_upgrade_in_the_same_period_sends_the_first_counts_used_and_limit_with_the_plan_in_force()
    {
        var (account, _) = _bed.Subscribe(TestCatalog.BasicMonthly); // 500 agent runs, hard
        await _bed.RecordAsync(account, AgentRuns, 399);
        _bed.Ledger.LoseMarkAnswerWith = new OperationCanceledException("the caller went away after the count");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bed.RecordAsync(account, AgentRuns, 1, key: "run-400"));
        _bed.Ledger.LoseMarkAnswerWith = null;
        _bed.ChangePlan(account, TestCatalog.ProMonthly); // same period: 1,000 included, billed beyond

        var retried = await _bed.RecordAsync(account, AgentRuns, 1, key: "run-400");

        Assert.True(retried.AssertSucceeded().Replayed);
        // docs/notifications.md: used and limit as first counted, plan and hardLimit of the plan at the sending call.
        Assert.Equal([(80, 400L, 500L, "PRO", false)], _bed.Notifications.Sent.Select(n => (n.Threshold, n.Used, n.Limit, n.Plan, n.HardLimit)));
    }

    [Fact]
    public async Task A_retry_whose_occurredAt_left_the_late_window_still_sends_the_thresholds_of_its_current_period()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 7);
        var occurredAt = _bed.Time.GetUtcNow().AddHours(-23); // within the 1-day late window now
        _bed.Ledger.LoseMarkAnswerWith = new OperationCanceledException("the caller went away after the count");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bed.RecordAsync(account, AgentRuns, 1, key: "run-8", occurredAt: occurredAt));
        _bed.Ledger.LoseMarkAnswerWith = null;
        _bed.Time.Advance(TimeSpan.FromHours(2)); // still November: the period is the current one, the occurredAt is past the window

        var retried = await _bed.RecordAsync(account, AgentRuns, 1, key: "run-8", occurredAt: occurredAt);

        Assert.True(retried.AssertSucceeded().Replayed);
        Assert.Equal([(80, 8L)], _bed.Notifications.Sent.Select(n => (n.Threshold, n.Used))); // as a retry within the window sends it
        Assert.Equal(8, _bed.Used(account, _bed.CurrentMonth, AgentRuns));
    }

    [Fact]
    public async Task A_retry_after_the_period_closed_sends_nothing_for_the_closed_period()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 7);
        _bed.Ledger.LoseMarkAnswerWith = new OperationCanceledException("the caller went away after the count");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bed.RecordAsync(account, AgentRuns, 1, key: "run-8"));
        _bed.Ledger.LoseMarkAnswerWith = null;
        _bed.Time.SetUtcNow(_bed.CurrentMonth.End.AddHours(1));
        await _bed.RecordAsync(account, AgentRuns, 1); // the new period's first run

        var retried = await _bed.RecordAsync(account, AgentRuns, 1, key: "run-8");

        Assert.True(retried.AssertSucceeded().Replayed);
        Assert.Equal(0, _bed.Notifications.Attempts); // neither for the closed period nor, with its count, for the new one
        Assert.Empty(_bed.Ledger.MarksOf(account, _bed.CurrentMonth.Key, AgentRuns));
    }

    [Fact]
    public async Task A_record_cancelled_before_its_mark_is_sent_clears_no_mark_another_caller_made()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 7);
        using var cancelled = new CancellationTokenSource();
        _bed.Ledger.AfterRecord = async _ =>
        {
            // This record counted the 8th run; another record counts the 9th and marks 80 % (and sends it) before this
            // one marks; then this caller goes away.
            _bed.Ledger.AfterRecord = null;
            await _bed.RecordAsync(account, AgentRuns, 1);
            await cancelled.CancelAsync();
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bed.Recording.RecordAsync(Record(account, AgentRuns, 1), cancelled.Token));
        await _bed.RecordAsync(account, AgentRuns, 1); // the 10th

        Assert.Equal([80, 100], _bed.Notifications.Sent.Select(n => n.Threshold)); // 80 % once: its mark stood
        Assert.Equal(10, _bed.Used(account, _bed.CurrentMonth, AgentRuns));
    }

    [Fact]
    public async Task A_mark_the_store_refused_without_applying_clears_no_mark_another_caller_made()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 7);
        _bed.Ledger.AfterRecord = async _ =>
        {
            // This record counted the 8th run; another record counts the 9th and marks 80 % (and sends it) before this
            // one marks; then the store refuses this one's mark without applying it (unavailable, not timed out).
            _bed.Ledger.AfterRecord = null;
            await _bed.RecordAsync(account, AgentRuns, 1);
            _bed.Ledger.FailMarkWith = new ServiceUnavailableException("Cosmos DB refused the request (503); it was not done.");
        };

        (await _bed.RecordAsync(account, AgentRuns, 1)).AssertSucceeded();
        _bed.Ledger.FailMarkWith = null;
        await _bed.RecordAsync(account, AgentRuns, 1); // the 10th

        Assert.Equal([80, 100], _bed.Notifications.Sent.Select(n => n.Threshold)); // 80 % once: the other caller's mark stood
    }

    [Fact]
    public async Task Parallel_records_crossing_the_thresholds_send_each_once()
    {
        var account = _bed.Register();

        await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Task.Run(() => _bed.RecordAsync(account, AgentRuns, 1))));

        Assert.Equal([80, 100], _bed.Notifications.Sent.Select(n => n.Threshold).Order());
        Assert.Equal(2, _bed.Notifications.Attempts);
    }

    [Fact]
    public async Task Configured_thresholds_replace_the_defaults()
    {
        var bed = new UsageTestBed(usage: new UsageOptions { Thresholds = [90, 50, 50] });
        var account = bed.Register();

        for (var i = 0; i < 10; i++)
        {
            await bed.RecordAsync(account, AgentRuns, 1);
        }

        Assert.Equal([(50, 5L), (90, 9L)], bed.Notifications.Sent.Select(n => (n.Threshold, n.Used)));
    }
}
