using Billing.Application;
using Billing.Application.Outcomes;
using Billing.Application.Tests.Fakes;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;
using Microsoft.Extensions.Logging;
using static Billing.Application.Tests.Fakes.UsageTestBed;

namespace Billing.Application.Tests.Usage;

public sealed class UsageRecordingTests
{
    private const string ValidAccount = "user-1";
    private const string KeyRule = "Must be 1 to 255 printable ASCII characters without spaces.";
    private const string QuantityRule = "Must be a whole number from 1 to 1000000000000.";
    private const string UnknownMeter = "Known: agent_runs, tokens, api_calls.";

    private readonly UsageTestBed _bed = new();

    public static TheoryData<UsageRecordRequest, string, string> InvalidRequests => new()
    {
        { new(null, "agent_runs", 1, "k", null), "accountId", "Required." },
        { new("", "agent_runs", 1, "k", null), "accountId", "Required." },
        { new("a/b", "agent_runs", 1, "k", null), "accountId", "must not contain '/'" },
        { new(ValidAccount, null, 1, "k", null), "meter", "Required." },
        { new(ValidAccount, "", 1, "k", null), "meter", "Required." },
        { new(ValidAccount, "minutes", 1, "k", null), "meter", "Unknown usage meter 'minutes'. " + UnknownMeter },
        { new(ValidAccount, "projects", 1, "k", null), "meter", "Unknown usage meter 'projects'. " + UnknownMeter }, // an allocation meter
        { new(ValidAccount, "Agent Runs!", 1, "k", null), "meter", "Unknown usage meter 'Agent Runs!'. " + UnknownMeter },
        { new(ValidAccount, "agent_runs", null, "k", null), "quantity", "Required: a whole number of units, at least 1." },
        { new(ValidAccount, "agent_runs", 0, "k", null), "quantity", QuantityRule },
        { new(ValidAccount, "agent_runs", -3, "k", null), "quantity", QuantityRule },
        { new(ValidAccount, "agent_runs", UsageOptions.MaxQuantity + 1, "k", null), "quantity", QuantityRule },
        { new(ValidAccount, "agent_runs", 1, null, null), "idempotencyKey", "Required: a key unique to this usage, the same on every retry." },
        { new(ValidAccount, "agent_runs", 1, "", null), "idempotencyKey", "Required: a key unique to this usage, the same on every retry." },
        { new(ValidAccount, "agent_runs", 1, "two words", null), "idempotencyKey", KeyRule },
        { new(ValidAccount, "agent_runs", 1, "tab\tkey", null), "idempotencyKey", KeyRule },
        { new(ValidAccount, "agent_runs", 1, "clé", null), "idempotencyKey", KeyRule },
        { new(ValidAccount, "agent_runs", 1, new string('k', 256), null), "idempotencyKey", KeyRule },
        { new(ValidAccount, "agent_runs", 1, "k", Start.AddSeconds(31)), "occurredAt", "Must not be in the future." },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Each_field_rule_is_reported_under_its_field_and_nothing_is_recorded(UsageRecordRequest request, string field, string message)
    {
        _bed.Accounts.Put(Domain.Accounts.BillingAccount.Open(Domain.Accounts.AccountId.Parse(ValidAccount), Start));

        var errors = (await _bed.Recording.RecordAsync(request, CancellationToken.None)).AssertInvalid();

        Assert.Equal([field], errors.Fields);
        Assert.Contains(message, Assert.Single(errors.For(field)), StringComparison.Ordinal);
        Assert.Equal(0, _bed.Ledger.RecordCalls);
        Assert.Null(_bed.Ledger.ClaimOf(Domain.Accounts.AccountId.Parse(ValidAccount), "k"));
    }

    [Fact]
    public async Task Every_bad_field_is_reported_at_once()
    {
        var errors = (await _bed.Recording.RecordAsync(new UsageRecordRequest(null, "nope", 0, " ", Start.AddHours(1)), CancellationToken.None)).AssertInvalid();

        Assert.Equal(["accountId", "meter", "quantity", "idempotencyKey", "occurredAt"], errors.Fields);
    }

    [Fact]
    public async Task The_largest_quantity_the_longest_key_and_the_clock_skew_are_accepted()
    {
        var account = _bed.Register();

        var recorded = (await _bed.RecordAsync(account, ApiCalls, UsageOptions.MaxQuantity, new string('~', 255), Start.AddSeconds(30))).AssertSucceeded();

        Assert.Equal(UsageOptions.MaxQuantity, recorded.Used);
        Assert.Equal(Start.AddSeconds(30), recorded.OccurredAt);
    }

    [Fact]
    public async Task A_one_character_key_of_the_lowest_printable_character_is_accepted()
    {
        var account = _bed.Register();

        var recorded = (await _bed.RecordAsync(account, AgentRuns, 1, "!")).AssertSucceeded();

        Assert.Equal(1, recorded.Used);
        Assert.NotNull(_bed.Ledger.ClaimOf(account, "!"));
    }

    [Fact]
    public async Task Usage_that_occurred_before_the_current_period_started_is_refused()
    {
        var account = _bed.Register();
        _bed.Time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 10, 0, TimeSpan.Zero));

        var errors = (await _bed.RecordAsync(account, AgentRuns, 1, occurredAt: new DateTimeOffset(2026, 11, 30, 23, 55, 0, TimeSpan.Zero))).AssertInvalid();

        Assert.Equal(
            "Must be in the account's current usage period, which started at 2026-12-01T00:00:00.0000000+00:00.",
            Assert.Single(errors.For("occurredAt")));
        Assert.Equal(0, _bed.Ledger.RecordCalls);
        Assert.Equal(1, (await _bed.RecordAsync(account, AgentRuns, 1, occurredAt: new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero))).AssertSucceeded().Used);
    }

    [Fact]
    public async Task Usage_before_the_period_this_instance_remembers_is_judged_on_the_stored_account()
    {
        // The subscription's period started 3 days ago; this instance keeps the account from the first record. Then
        // the subscription is canceled: the account falls back to the free plan's calendar month, which started earlier,
        // but counts on the free plan only from the moment the paid access ended.
        var bed = new UsageTestBed(usage: new UsageOptions { LateWindow = TimeSpan.FromDays(5) });
        var (account, period) = bed.Subscribe(TestCatalog.ProMonthly);
        (await bed.RecordAsync(account, AgentRuns, 1)).AssertSucceeded();
        bed.ChangePlan(account, TestCatalog.ProMonthly, SubscriptionStatus.Canceled);
        var canceledAt = bed.Time.GetUtcNow().AddTicks(1); // the snapshot's date
        bed.Time.Advance(TimeSpan.FromMinutes(10));

        var beforeTheCancellation = await bed.RecordAsync(account, AgentRuns, 1, occurredAt: period.Start.AddHours(-1));
        var afterIt = (await bed.RecordAsync(account, AgentRuns, 1, occurredAt: canceledAt.AddMinutes(1))).AssertSucceeded();

        // The stored account's answer (this instance's copy would have named the subscription's period start).
        Assert.Equal(
            $"Must be in the account's current usage period: the account's paid access ended at {canceledAt:O}, and usage before it is not counted on the free plan.",
            Assert.Single(beforeTheCancellation.AssertInvalid().For("occurredAt")));
        Assert.Equal((bed.CurrentMonth.Start, 1L), (afterIt.PeriodStart, afterIt.Used));
    }

    [Fact]
    public async Task Late_usage_of_a_paid_period_that_ended_with_a_cancellation_is_not_counted_on_the_free_plan()
    {
        // Basic until 22 Nov 12:00 (cancelled at its period end); the product reports, at 12:10, runs made at 11:55.
        var bed = new UsageTestBed(usage: new UsageOptions { LateWindow = TimeSpan.FromHours(1) });
        var end = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var (account, _) = bed.Subscribe(TestCatalog.BasicMonthly, period: (end.AddMonths(-1), end));
        bed.ChangePlan(account, TestCatalog.BasicMonthly, cancelAtPeriodEnd: true);
        bed.Time.SetUtcNow(end.AddMinutes(10));

        var during = await bed.RecordAsync(account, AgentRuns, 5, occurredAt: end.AddMinutes(-5));
        var over = await bed.RecordAsync(account, AgentRuns, 50, occurredAt: end.AddMinutes(-5));
        var after = (await bed.RecordAsync(account, AgentRuns, 5, occurredAt: end.AddMinutes(5))).AssertSucceeded();

        Assert.Contains("the account's paid access ended at 2026-11-22T12:00:00.0000000+00:00", Assert.Single(during.AssertInvalid().For("occurredAt")), StringComparison.Ordinal);
        Assert.Single(over.AssertInvalid().For("occurredAt")); // not a 402 naming the free plan's limit
        Assert.Equal((bed.CurrentMonth.Start, 5L, 5L), (after.PeriodStart, after.Used, after.Remaining)); // the free plan's 10
        Assert.Equal(5, bed.Used(account, bed.CurrentMonth, AgentRuns));
    }

    [Fact]
    public async Task Late_free_usage_after_a_grace_period_stays_counted_when_stripe_then_cancels_the_subscription()
    {
        // Basic's payment fails on 21 Nov 12:00: its 3-day grace ends on the 24th, and the account is on the free plan
        // from then. Stripe gives up and cancels it on the 27th at 12:00; at 12:05 the product reports a run made at
        // 11:56, on the free plan (one made at 11:55 and reported at once was counted there).
        var (account, _) = _bed.Subscribe(TestCatalog.BasicMonthly);
        _bed.ChangePlan(account, TestCatalog.BasicMonthly, SubscriptionStatus.PastDue);
        _bed.Time.SetUtcNow(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        (await _bed.RecordAsync(account, AgentRuns, 1, occurredAt: _bed.Time.GetUtcNow().AddMinutes(-5))).AssertSucceeded();
        _bed.ChangePlan(account, TestCatalog.BasicMonthly, SubscriptionStatus.Canceled);
        _bed.Time.Advance(TimeSpan.FromMinutes(5));

        var late = await _bed.RecordAsync(account, AgentRuns, 1, occurredAt: new DateTimeOffset(2026, 11, 27, 11, 56, 0, TimeSpan.Zero));

        Assert.Equal((_bed.CurrentMonth.Start, 2L), (late.AssertSucceeded().PeriodStart, late.AssertSucceeded().Used));
        Assert.Equal(2, _bed.Used(account, _bed.CurrentMonth, AgentRuns));
    }

    [Fact]
    public async Task Usage_older_than_the_late_window_is_refused()
    {
        var account = _bed.Register();

        var tooLate = await _bed.RecordAsync(account, AgentRuns, 1, occurredAt: Start - TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1));
        var justInTime = await _bed.RecordAsync(account, AgentRuns, 1, occurredAt: Start - TimeSpan.FromDays(1));

        Assert.Equal("Is older than the late window (1.00:00:00); such usage is no longer accepted.", Assert.Single(tooLate.AssertInvalid().For("occurredAt")));
        Assert.Equal(1, justInTime.AssertSucceeded().Used);
        Assert.Single(_bed.Ledger.Consumed);
    }

    [Fact]
    public async Task Usage_that_occurred_just_after_the_period_ended_by_the_callers_clock_counts_in_the_next_period()
    {
        var account = _bed.Register();
        var end = _bed.CurrentMonth.End;
        _bed.Time.SetUtcNow(end - TimeSpan.FromSeconds(5)); // our clock: the old period still; the caller's runs ahead, within the skew

        var after = (await _bed.RecordAsync(account, AgentRuns, 2, "after-the-end", end.AddSeconds(10))).AssertSucceeded();
        var before = (await _bed.RecordAsync(account, AgentRuns, 1, "before-the-end", end.AddSeconds(-1))).AssertSucceeded();

        Assert.Equal((end, 2L, 8L), (after.PeriodStart, after.Used, after.Remaining)); // the new period's own quota
        Assert.Equal((end - TimeSpan.FromSeconds(5), end.AddSeconds(10)), (after.RecordedAt, after.OccurredAt));
        Assert.Equal((_bed.CurrentMonth.Start, 1L), (before.PeriodStart, before.Used));
    }

    [Fact]
    public async Task The_late_window_and_clock_skew_come_from_the_options()
    {
        var bed = new UsageTestBed(usage: new UsageOptions { LateWindow = TimeSpan.FromHours(2), ClockSkew = TimeSpan.Zero });
        var account = bed.Register();

        Assert.Equal("occurredAt", Assert.Single((await bed.RecordAsync(account, AgentRuns, 1, occurredAt: Start.AddHours(-3))).AssertInvalid().Fields));
        Assert.Equal("occurredAt", Assert.Single((await bed.RecordAsync(account, AgentRuns, 1, occurredAt: Start.AddTicks(1))).AssertInvalid().Fields));
        (await bed.RecordAsync(account, AgentRuns, 1, occurredAt: Start.AddHours(-2))).AssertSucceeded();
        (await bed.RecordAsync(account, AgentRuns, 1, occurredAt: Start)).AssertSucceeded();
    }

    [Fact]
    public async Task The_key_retention_comes_from_the_options()
    {
        var bed = new UsageTestBed(usage: new UsageOptions { KeyRetention = TimeSpan.FromDays(60) });
        var account = bed.Register();

        (await bed.RecordAsync(account, AgentRuns, 1, "kept-60-days")).AssertSucceeded();

        Assert.Equal(TimeSpan.FromDays(60), bed.Ledger.ClaimOf(account, "kept-60-days")!.Retention);
    }

    [Fact]
    public async Task An_unregistered_account_is_refused_and_nothing_is_claimed()
    {
        var unknown = NewAccountId();

        var refusal = (await _bed.RecordAsync(unknown, AgentRuns, 1, "k-1")).AssertRefused();

        Assert.Equal(RefusalReason.AccountNotFound, refusal.Reason);
        Assert.Contains($"'{unknown}'", refusal.Detail, StringComparison.Ordinal);
        Assert.Null(_bed.Ledger.ClaimOf(unknown, "k-1"));
        Assert.Equal(0, _bed.Ledger.RecordCalls);
        Assert.Null(await _bed.Accounts.GetAsync(unknown, CancellationToken.None)); // not created either
    }

    [Fact]
    public async Task Recorded_usage_answers_the_counter_against_the_limit_in_the_current_period()
    {
        var account = _bed.Register();
        var occurredAt = Start.AddMinutes(-2);

        var recorded = (await _bed.RecordAsync(account, AgentRuns, 3, "job-1", occurredAt)).AssertSucceeded();

        Assert.Equal(AgentRuns, recorded.Meter);
        Assert.Equal(3, recorded.Quantity);
        Assert.Equal(3, recorded.Used);
        Assert.Equal(10, recorded.Limit);
        Assert.Equal(7, recorded.Remaining);
        Assert.Equal(0, recorded.Overage);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), recorded.PeriodStart);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), recorded.PeriodEnd);
        Assert.Equal(occurredAt, recorded.OccurredAt);
        Assert.Equal(Start, recorded.RecordedAt);
        Assert.False(recorded.Replayed);
        var consumption = Assert.Single(_bed.Ledger.Consumed);
        Assert.Equal(new UsageConsumption(account, _bed.CurrentMonth, AgentRuns, 3, 10, PlanCode.Parse("FREE"), null), consumption);
        var claim = _bed.Ledger.ClaimOf(account, "job-1")!;
        Assert.Equal((AgentRuns, 3L, _bed.CurrentMonth.Key, occurredAt, Start, TimeSpan.FromDays(45)), (claim.Meter, claim.Quantity, claim.PeriodKey, claim.OccurredAt, claim.RecordedAt, claim.Retention));
    }

    [Fact]
    public async Task Without_occurredAt_the_usage_occurred_now()
    {
        var account = _bed.Register();

        var recorded = (await _bed.RecordAsync(account, Tokens, 10)).AssertSucceeded();

        Assert.Equal(Start, recorded.OccurredAt);
    }

    [Fact]
    public async Task Without_occurredAt_usage_counts_in_the_current_period_also_when_it_starts_a_moment_after_our_clock()
    {
        // Stripe's clock a little ahead of ours on a new subscription (or the emulator's clock moved on): the period the
        // account's entitlement gives now starts half a second after our now, and the check says the record would pass.
        var account = _bed.Register();
        var now = _bed.Time.GetUtcNow();
        var period = _bed.ChangePlan(account, TestCatalog.BasicMonthly, period: (now.AddMilliseconds(500), now.AddMilliseconds(500).AddMonths(1)));
        Assert.True((await _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, AgentRuns.Value, 1), CancellationToken.None)).AssertSucceeded().Allowed);

        var recorded = (await _bed.RecordAsync(account, AgentRuns, 1, "right-after-checkout")).AssertSucceeded();

        Assert.Equal((period.Start, period.End, 1L, now), (recorded.PeriodStart, recorded.PeriodEnd, recorded.Used, recorded.OccurredAt));
        Assert.Equal(1, _bed.Used(account, period, AgentRuns));
    }

    [Fact]
    public async Task Usage_past_a_hard_limit_is_refused_with_the_facts_and_its_key_stays_free()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 8, "first");

        var refusal = (await _bed.RecordAsync(account, AgentRuns, 3, "second")).AssertRefused();

        Assert.Equal(RefusalReason.QuotaExceeded, refusal.Reason);
        Assert.Equal("agent_runs: the Free plan's limit is 10 per period; 8 used, so 3 more would pass it. The Basic plan allows more.", refusal.Detail);
        Assert.Equal(
            new Dictionary<string, object?> { ["meter"] = "agent_runs", ["limit"] = 10L, ["used"] = 8L, ["plan"] = "FREE", ["upgradePlan"] = "BASIC" },
            refusal.Facts);
        Assert.Null(_bed.Ledger.ClaimOf(account, "second"));
        Assert.Equal(8, _bed.Used(account, _bed.CurrentMonth, AgentRuns));

        var retry = (await _bed.RecordAsync(account, AgentRuns, 2, "second")).AssertSucceeded(); // not a replay, not a reused key

        Assert.False(retry.Replayed);
        Assert.Equal(10, retry.Used);
        Assert.Equal(0, retry.Remaining);
    }

    [Fact]
    public async Task A_refusal_suggests_the_first_plan_that_takes_what_was_asked()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 8);

        var refusal = (await _bed.RecordAsync(account, AgentRuns, 600)).AssertRefused();
        var check = (await _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, "agent_runs", 600), CancellationToken.None)).AssertSucceeded();

        // BASIC allows 500 a period, which 608 would pass as well; PRO counts beyond its included runs.
        Assert.Equal(("PRO", "PRO"), (refusal.Facts["upgradePlan"], check.UpgradePlan?.Value));
        Assert.EndsWith("The Pro plan allows more.", refusal.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(492, "BASIC")] // 8 used + 492 asked: exactly BASIC's 500
    [InlineData(493, "PRO")] // 501: past BASIC's 500
    public async Task The_plan_suggested_is_the_first_whose_limit_takes_what_is_used_plus_what_was_asked(long asked, string upgrade)
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 8);

        var refusal = (await _bed.RecordAsync(account, AgentRuns, asked)).AssertRefused();
        var check = (await _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, "agent_runs", asked), CancellationToken.None)).AssertSucceeded();

        Assert.Equal((upgrade, upgrade), (refusal.Facts["upgradePlan"], check.UpgradePlan?.Value));
    }

    [Fact]
    public async Task In_the_grace_period_of_a_failed_upgrade_a_refusal_asks_for_the_payment_not_an_upgrade_to_the_plan_subscribed()
    {
        var (account, _) = _bed.Subscribe(TestCatalog.BasicMonthly);
        _bed.ChangePlan(account, TestCatalog.ProMonthly, SubscriptionStatus.PastDue); // the upgrade's payment failed: BASIC's limits
        await _bed.RecordAsync(account, AgentRuns, 500);

        var refusal = (await _bed.RecordAsync(account, AgentRuns, 1)).AssertRefused();
        var check = (await _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, "agent_runs", 1), CancellationToken.None)).AssertSucceeded();

        Assert.Equal(("BASIC", null), (refusal.Facts["plan"], refusal.Facts["upgradePlan"]));
        Assert.Equal((false, (PlanCode?)null), (check.Allowed, check.UpgradePlan));
        Assert.Equal("agent_runs: the Basic plan's limit is 500 per period; 500 used, so 1 more would pass it. A payment is overdue: the Pro plan's limits apply again once it is paid.", refusal.Detail);
    }

    [Fact]
    public async Task In_the_grace_period_of_a_failed_upgrade_a_need_beyond_the_plan_subscribed_names_no_upgrade_to_that_plan()
    {
        // PRO capped at 600: BASIC's 500 are used and 101 more are asked, beyond PRO's limit too. Paying gives PRO back,
        // so PRO is never the upgrade named; only a plan above it could be, and there is none.
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["agent_runs"] = new Domain.Plans.Configuration.MeterOptions { Quota = 600 };
        var bed = new UsageTestBed(options);
        var (account, _) = bed.Subscribe(TestCatalog.BasicMonthly);
        bed.ChangePlan(account, TestCatalog.ProMonthly, SubscriptionStatus.PastDue);
        await bed.RecordAsync(account, AgentRuns, 500);

        var refusal = (await bed.RecordAsync(account, AgentRuns, 101)).AssertRefused();

        Assert.Equal(("BASIC", null), (refusal.Facts["plan"], refusal.Facts["upgradePlan"]));
    }

    /// <summary>
    /// Past the grace period the free plan's limits apply, but the subscription still stands (Stripe retries the payment),
    /// so Checkout refuses a new one (409 subscription_live): the refusal asks for the payment, which gives the plan
    /// back, not for an upgrade the account cannot buy.
    /// </summary>
    [Fact]
    public async Task After_the_grace_period_a_refusal_asks_for_the_overdue_payment_not_a_checkout_the_standing_subscription_blocks()
    {
        var (account, _) = _bed.Subscribe(TestCatalog.ProMonthly);
        _bed.ChangePlan(account, TestCatalog.ProMonthly, SubscriptionStatus.PastDue);
        _bed.Time.Advance(TimeSpan.FromDays(4)); // the 3-day grace period is over: FREE's 10 runs
        await _bed.RecordAsync(account, AgentRuns, 10);

        var refusal = (await _bed.RecordAsync(account, AgentRuns, 1)).AssertRefused();
        var check = (await _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, "agent_runs", 1), CancellationToken.None)).AssertSucceeded();

        Assert.Equal(("FREE", null), (refusal.Facts["plan"], refusal.Facts["upgradePlan"]));
        Assert.Equal((false, (PlanCode?)null), (check.Allowed, check.UpgradePlan));
        Assert.Equal("agent_runs: the Free plan's limit is 10 per period; 10 used, so 1 more would pass it. A payment is overdue: the Pro plan's limits apply again once it is paid.", refusal.Detail);
    }

    [Theory]
    [InlineData(500, null)] // exactly BASIC's limit: paying gives it back
    [InlineData(501, "PRO")] // beyond BASIC's: only a plan above it
    public async Task After_the_grace_period_an_overdue_plan_that_takes_exactly_what_is_asked_is_paid_for_not_upgraded_from(long asked, string? upgrade)
    {
        var (account, _) = _bed.Subscribe(TestCatalog.BasicMonthly);
        _bed.ChangePlan(account, TestCatalog.BasicMonthly, SubscriptionStatus.PastDue);
        _bed.Time.Advance(TimeSpan.FromDays(4)); // the 3-day grace period is over: FREE's 10 runs

        var refusal = (await _bed.RecordAsync(account, AgentRuns, asked)).AssertRefused();
        var check = (await _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, "agent_runs", asked), CancellationToken.None)).AssertSucceeded();

        Assert.Equal(("FREE", upgrade, upgrade), (refusal.Facts["plan"], refusal.Facts["upgradePlan"], check.UpgradePlan?.Value));
    }

    [Fact]
    public async Task A_refusal_names_no_upgrade_when_no_plan_allows_more()
    {
        var options = TestCatalog.Options();
        options.Plan("PRO").Meters["agent_runs"] = new Domain.Plans.Configuration.MeterOptions { Quota = 600 };
        var bed = new UsageTestBed(options);
        var (basic, _) = bed.Subscribe(TestCatalog.BasicMonthly);
        var (pro, _) = bed.Subscribe(TestCatalog.ProMonthly);

        var basicRefusal = (await bed.RecordAsync(basic, AgentRuns, 501)).AssertRefused();
        var proRefusal = (await bed.RecordAsync(pro, AgentRuns, 601)).AssertRefused();

        Assert.Equal("PRO", basicRefusal.Facts["upgradePlan"]);
        Assert.Null(proRefusal.Facts["upgradePlan"]);
        Assert.Equal("agent_runs: the Pro plan's limit is 600 per period; 0 used, so 601 more would pass it.", proRefusal.Detail);

        // No plan takes 1,000 at once: the first that allows more is named.
        var free = bed.Register();
        Assert.Equal("BASIC", (await bed.RecordAsync(free, AgentRuns, 1_000)).AssertRefused().Facts["upgradePlan"]);
    }

    [Fact]
    public async Task A_60_day_Stripe_trial_refuses_past_the_limit_in_its_first_month_and_starts_again_at_zero_in_its_second()
    {
        var (account, _) = _bed.Subscribe(TestCatalog.BasicMonthly, SubscriptionStatus.Trialing, (Start, Start.AddDays(60)));

        await AssertQuotaRenewedInTheSecondMonthAsync(_bed, account, limit: 500, "sub"); // BASIC: 500 a month, a hard limit
    }

    [Fact]
    public async Task A_60_day_local_trial_refuses_past_the_limit_in_its_first_month_and_starts_again_at_zero_in_its_second()
    {
        var options = TestCatalog.Options();
        options.Plan("TRIAL").TrialDays = 60;
        var bed = new UsageTestBed(options);
        var account = bed.Register();
        bed.Accounts.Put((await bed.Accounts.GetAsync(account, CancellationToken.None))!.StartLocalTrial(bed.Catalog, Start).Account);

        await AssertQuotaRenewedInTheSecondMonthAsync(bed, account, limit: 100, "trial"); // TRIAL: 100 a month, a hard limit
    }

    [Fact]
    public async Task An_overage_meter_records_beyond_its_included_units_and_reports_the_overage()
    {
        var (account, period) = _bed.Subscribe(TestCatalog.ProMonthly);

        var first = (await _bed.RecordAsync(account, AgentRuns, 900)).AssertSucceeded();
        var beyond = (await _bed.RecordAsync(account, AgentRuns, 300)).AssertSucceeded();

        Assert.Equal((900L, 1_000L, 100L, 0L), (first.Used, first.Limit!.Value, first.Remaining!.Value, first.Overage));
        Assert.Equal((1_200L, 1_000L, 0L, 200L), (beyond.Used, beyond.Limit!.Value, beyond.Remaining!.Value, beyond.Overage));
        Assert.Equal(period.Start, beyond.PeriodStart);
        Assert.All(_bed.Ledger.Consumed, c => Assert.Equal((null, (long?)1_000, PlanCode.Parse("PRO"), period.Key), (c.Limit, c.Included, c.Plan, c.Period.Key)));
    }

    [Fact]
    public async Task An_unlimited_meter_has_no_limit_remaining_or_overage()
    {
        var (account, _) = _bed.Subscribe(TestCatalog.ProMonthly);

        var recorded = (await _bed.RecordAsync(account, ApiCalls, 5_000_000)).AssertSucceeded();

        Assert.Equal((5_000_000L, (long?)null, (long?)null, 0L), (recorded.Used, recorded.Limit, recorded.Remaining, recorded.Overage));
        Assert.Equal(((long?)null, (long?)null), (_bed.Ledger.Consumed[0].Limit, _bed.Ledger.Consumed[0].Included));
    }

    [Fact]
    public async Task A_retry_with_the_same_key_gets_the_first_answer_and_counts_nothing()
    {
        var account = _bed.Register();
        var first = (await _bed.RecordAsync(account, AgentRuns, 3, "job-7", Start.AddSeconds(-10))).AssertSucceeded();
        _bed.Time.Advance(TimeSpan.FromMinutes(5));
        await _bed.RecordAsync(account, AgentRuns, 2, "job-8");

        var replay = (await _bed.RecordAsync(account, AgentRuns, 3, "job-7")).AssertSucceeded();

        Assert.True(replay.Replayed);
        Assert.Equal(3, replay.Quantity);
        Assert.Equal(first with { Replayed = true }, replay); // exactly the first answer, counter included
        Assert.Equal(3, replay.Used);
        Assert.Equal(2, _bed.Ledger.Consumed.Count);
        Assert.Equal(5, _bed.Used(account, _bed.CurrentMonth, AgentRuns));
    }

    [Theory]
    [InlineData("agent_runs", 5)] // another quantity
    [InlineData("tokens", 4)] // another meter
    public async Task A_late_record_with_a_used_key_but_other_usage_is_refused_not_answered_as_the_first(string meter, long quantity)
    {
        var account = _bed.Register();
        var occurredAt = new DateTimeOffset(2026, 11, 30, 23, 58, 0, TimeSpan.Zero);
        _bed.Time.SetUtcNow(occurredAt.AddMinutes(1));
        (await _bed.RecordAsync(account, AgentRuns, 4, "late-job", occurredAt)).AssertSucceeded();
        _bed.Time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 1, 0, TimeSpan.Zero)); // its period has closed

        var other = await _bed.RecordAsync(account, MeterName.Parse(meter), quantity, "late-job", occurredAt);
        var same = (await _bed.RecordAsync(account, AgentRuns, 4, "late-job", occurredAt)).AssertSucceeded();

        Assert.Single(other.AssertInvalid().For("occurredAt")); // not the same usage: the key's first answer is not its
        Assert.Equal((true, 4L), (same.Replayed, same.Quantity));
    }

    [Fact]
    public async Task Usage_counted_on_the_free_plan_after_a_cancellation_names_no_subscription_to_invoice()
    {
        var (account, _) = _bed.Subscribe(TestCatalog.ProMonthly);
        (await _bed.RecordAsync(account, AgentRuns, 1)).AssertSucceeded();
        _bed.ChangePlan(account, TestCatalog.ProMonthly, SubscriptionStatus.Canceled);
        _bed.Time.Advance(TimeSpan.FromMinutes(10));

        (await _bed.RecordAsync(account, AgentRuns, 1)).AssertSucceeded();

        Assert.NotNull(_bed.Ledger.Consumed[0].SubscriptionId); // the subscription's period: its invoice goes on it
        Assert.Null(_bed.Ledger.Consumed[^1].SubscriptionId); // the free plan's calendar month: no subscription's invoice
    }

    [Fact]
    public async Task A_retry_after_the_period_rolled_over_answers_the_first_period()
    {
        var account = _bed.Register();
        _bed.Time.SetUtcNow(new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero));
        await _bed.RecordAsync(account, AgentRuns, 4, "late-job");
        _bed.Time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 1, 0, TimeSpan.Zero));

        var replay = (await _bed.RecordAsync(account, AgentRuns, 4, "late-job")).AssertSucceeded();

        Assert.True(replay.Replayed);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), replay.PeriodStart);
        Assert.Equal((4L, 10L, 6L), (replay.Used, replay.Limit!.Value, replay.Remaining!.Value));
        Assert.Single(_bed.Ledger.Consumed);
    }

    [Fact]
    public async Task A_late_retry_with_its_original_occurred_at_gets_the_first_answer_instead_of_a_400()
    {
        var account = _bed.Register();
        var occurredAt = new DateTimeOffset(2026, 11, 30, 23, 58, 0, TimeSpan.Zero);
        _bed.Time.SetUtcNow(occurredAt.AddMinutes(1));
        var first = (await _bed.RecordAsync(account, AgentRuns, 4, "late-job", occurredAt)).AssertSucceeded();
        _bed.Time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 5, 0, TimeSpan.Zero)); // next period: occurredAt is outside it

        var replay = (await _bed.RecordAsync(account, AgentRuns, 4, "late-job", occurredAt)).AssertSucceeded();
        var unknown = await _bed.RecordAsync(account, AgentRuns, 4, "never-seen", occurredAt);

        Assert.Equal(first with { Replayed = true }, replay);
        Assert.IsType<Invalid<RecordedUsage>>(unknown);
        Assert.Single(_bed.Ledger.Consumed);
    }

    [Theory]
    [InlineData("agent_runs", 4)]
    [InlineData("tokens", 3)]
    public async Task A_key_used_for_other_usage_is_refused(string meter, long quantity)
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 3, "job-9");

        var refusal = (await _bed.Recording.RecordAsync(new UsageRecordRequest(account.Value, meter, quantity, "job-9", null), CancellationToken.None)).AssertRefused();

        Assert.Equal(RefusalReason.IdempotencyKeyReused, refusal.Reason);
        Assert.Equal("The idempotency key was already used at 2026-11-21T12:00:00.0000000+00:00 for 3 agent_runs; use a new key for new usage.", refusal.Detail);
        Assert.Single(_bed.Ledger.Consumed);
        Assert.Equal(3, _bed.Ledger.ClaimOf(account, "job-9")!.Quantity); // the first claim stays
    }

    [Fact]
    public async Task Keys_are_per_account()
    {
        var one = _bed.Register();
        var other = _bed.Register();

        await _bed.RecordAsync(one, AgentRuns, 1, "shared-key");
        var recorded = (await _bed.RecordAsync(other, Tokens, 9, "shared-key")).AssertSucceeded();

        Assert.False(recorded.Replayed);
    }

    [Fact]
    public async Task A_record_the_store_refused_before_applying_rethrows_and_its_retry_counts_it()
    {
        var account = _bed.Register();
        _bed.Ledger.FailRecordWith = new UsageNotCountedException("throttled");

        await Assert.ThrowsAsync<UsageNotCountedException>(() => _bed.RecordAsync(account, AgentRuns, 2, "job-10"));

        Assert.Null(_bed.Ledger.ClaimOf(account, "job-10"));
        _bed.Ledger.FailRecordWith = null;
        var retry = (await _bed.RecordAsync(account, AgentRuns, 2, "job-10")).AssertSucceeded();
        Assert.False(retry.Replayed);
        Assert.Equal(2, retry.Used);
    }

    [Fact]
    public async Task A_key_an_earlier_version_left_without_its_answer_is_answered_as_recorded_never_counted_twice()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 4, "job-11");
        _bed.Ledger.PutUnsettledKey(_bed.Ledger.ClaimOf(account, "job-11")!);

        var retry = (await _bed.RecordAsync(account, AgentRuns, 4, "job-11")).AssertSucceeded();

        Assert.True(retry.Replayed);
        Assert.Equal((4L, 10L, 6L), (retry.Used, retry.Limit!.Value, retry.Remaining!.Value)); // the counter as it stands
        Assert.Equal(4, _bed.Used(account, _bed.CurrentMonth, AgentRuns));

        // Answered without counting: nothing for a human to do, so a warning, never the operator's alert (an Error).
        var logged = Assert.Single(_bed.RecordingLog.Collector.GetSnapshot(), r => r.Message.Contains("holds no answer", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, logged.Level);
    }

    [Fact]
    public async Task An_upgrade_raises_the_limit_for_the_next_record_although_the_account_was_kept_before_it()
    {
        var account = _bed.Register();
        (await _bed.RecordAsync(account, AgentRuns, 10)).AssertSucceeded(); // FREE: 10, now full and kept by this instance
        var period = _bed.ChangePlan(account, TestCatalog.ProMonthly);

        var recorded = (await _bed.RecordAsync(account, AgentRuns, 5)).AssertSucceeded();

        Assert.Equal((5L, 1_000L), (recorded.Used, recorded.Limit!.Value)); // PRO's 1,000 (FREE: 10), in PRO's period
        Assert.Equal(period.Start, recorded.PeriodStart);
        Assert.Equal(3, _bed.Ledger.RecordCalls); // the second was refused as stale, then applied with the account read again
    }

    [Fact]
    public async Task A_record_against_an_account_that_changes_under_every_attempt_is_tried_five_times_and_counts_nothing()
    {
        var account = _bed.Register();
        _bed.Ledger.BeforeRecord = async _ => _bed.Accounts.Put((await _bed.Accounts.GetAsync(account, CancellationToken.None))!); // a new version each time

        var error = await Assert.ThrowsAsync<UsageNotCountedException>(() => _bed.RecordAsync(account, AgentRuns, 1, "always-stale"));

        Assert.Contains("changed under each of 5 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, _bed.Ledger.RecordCalls);
        Assert.Equal(0, _bed.Used(account, _bed.CurrentMonth, AgentRuns));
        Assert.Null(_bed.Ledger.ClaimOf(account, "always-stale"));
    }

    [Fact]
    public async Task A_downgrade_that_lands_between_reading_the_account_and_counting_applies_to_that_record()
    {
        var (account, period) = _bed.Subscribe(TestCatalog.ProMonthly);
        (await _bed.RecordAsync(account, AgentRuns, 1)).AssertSucceeded(); // the account is now kept, on PRO
        var downgraded = false;
        _bed.Ledger.BeforeRecord = async _ =>
        {
            if (!downgraded)
            {
                downgraded = true;
                var pro = (await _bed.Accounts.GetAsync(account, CancellationToken.None))!;
                _bed.Accounts.Put(pro with { Subscription = null }); // canceled: back to FREE, 10 per calendar month
            }
        };

        var refusal = (await _bed.RecordAsync(account, AgentRuns, 11)).AssertRefused(); // PRO allows it, FREE (10) does not

        Assert.Equal(RefusalReason.QuotaExceeded, refusal.Reason);
        Assert.Equal("FREE", refusal.Facts["plan"]);
        Assert.Equal(1, _bed.Used(account, period, AgentRuns));
        Assert.Equal(0, _bed.Used(account, _bed.CurrentMonth, AgentRuns));
    }

    [Fact]
    public async Task A_count_past_the_most_a_counter_holds_is_refused_and_its_key_stays_free()
    {
        var account = _bed.Register();
        _bed.Ledger.Set(account, _bed.CurrentMonth, ApiCalls, UsageCounters.MaxCount - 4); // api_calls has no limit on FREE

        var refusal = (await _bed.RecordAsync(account, ApiCalls, 5, "full")).AssertRefused();

        Assert.Equal(RefusalReason.CounterFull, refusal.Reason);
        Assert.Equal("The api_calls counter of this period would pass 9007199254740991 units, the most it holds; nothing was recorded and the key stays free.", refusal.Detail);
        Assert.Null(_bed.Ledger.ClaimOf(account, "full"));
        Assert.Equal(UsageCounters.MaxCount - 4, _bed.Used(account, _bed.CurrentMonth, ApiCalls));

        var last = (await _bed.RecordAsync(account, ApiCalls, 4, "full")).AssertSucceeded(); // up to the last unit

        Assert.Equal(UsageCounters.MaxCount, last.Used);
    }

    [Fact]
    public async Task Parallel_records_never_pass_the_hard_limit()
    {
        var account = _bed.Register();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => Task.Run(() => _bed.RecordAsync(account, AgentRuns, 1))));

        Assert.Equal(10, outcomes.Count(o => o is Succeeded<RecordedUsage>));
        Assert.Equal(15, outcomes.Count(o => o is Refused<RecordedUsage> { Refusal.Reason: RefusalReason.QuotaExceeded }));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), outcomes.OfType<Succeeded<RecordedUsage>>().Select(s => s.Value.Used).Order());
        Assert.Equal(10, _bed.Used(account, _bed.CurrentMonth, AgentRuns));
    }

    [Fact]
    public async Task Parallel_retries_of_one_key_count_once()
    {
        var account = _bed.Register();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _bed.RecordAsync(account, Tokens, 7, "same-job"))));

        var recorded = outcomes.Select(o => o.AssertSucceeded()).ToList();
        Assert.Single(recorded, r => !r.Replayed);
        Assert.Equal(7, _bed.Used(account, _bed.CurrentMonth, Tokens));
        Assert.Single(_bed.Ledger.Consumed);
    }

    [Fact]
    public async Task A_batch_answers_each_record_in_input_order_and_applies_one_accounts_records_in_order()
    {
        var a = _bed.Register();
        var b = _bed.Register();
        var unknown = NewAccountId();
        await _bed.RecordAsync(b, Tokens, 1, "b-earlier");
        // The first record of account a is slow: were a's records counted concurrently, the later ones would go first.
        _bed.Ledger.BeforeRecord = c => c.AccountId == a && c.Amount == 6 ? Task.Delay(200) : Task.CompletedTask;
        UsageRecordRequest[] batch =
        [
            Record(a, AgentRuns, 6, "a-1"),
            Record(b, Tokens, 5, "b-1"),
            Record(a, AgentRuns, 5, "a-2"),
            new(a.Value, "agent_runs", 0, "a-bad", null),
            Record(a, AgentRuns, 4, "a-3"),
            Record(unknown, AgentRuns, 1, "u-1"),
            Record(b, Tokens, 1, "b-earlier"),
        ];

        var outcomes = await _bed.Recording.RecordBatchAsync(batch, CancellationToken.None);

        Assert.Equal(7, outcomes.Count);
        Assert.Equal(6, outcomes[0].AssertSucceeded().Used);
        Assert.Equal(6, outcomes[1].AssertSucceeded().Used);
        Assert.Equal(RefusalReason.QuotaExceeded, outcomes[2].AssertRefused().Reason);
        Assert.Equal("quantity", Assert.Single(outcomes[3].AssertInvalid().Fields));
        Assert.Equal(10, outcomes[4].AssertSucceeded().Used);
        Assert.Equal(RefusalReason.AccountNotFound, outcomes[5].AssertRefused().Reason);
        Assert.True(outcomes[6].AssertSucceeded().Replayed);
        Assert.Equal([6L, 4L], _bed.Ledger.Consumed.Where(c => c.AccountId == a).Select(c => c.Amount));
    }

    [Fact]
    public async Task A_batch_reads_an_unregistered_account_once_and_refuses_its_later_records_the_same_way()
    {
        var unknown = NewAccountId();
        var readsBefore = _bed.Accounts.Reads;

        var outcomes = await _bed.Recording.RecordBatchAsync(
            [Record(unknown, AgentRuns, 1, "u-1"), new(unknown.Value, "agent_runs", 0, "u-bad", null), Record(unknown, Tokens, 2, "u-2")],
            CancellationToken.None);

        Assert.Equal(RefusalReason.AccountNotFound, outcomes[0].AssertRefused().Reason);
        Assert.Equal("quantity", Assert.Single(outcomes[1].AssertInvalid().Fields)); // its own field checks first
        Assert.Equal(RefusalReason.AccountNotFound, outcomes[2].AssertRefused().Reason);
        Assert.Equal(1, _bed.Accounts.Reads - readsBefore);
    }

    [Theory]
    [InlineData("not counted")]
    [InlineData("unavailable")] // the store unavailable for a read before the count (the account, a key)
    [InlineData("timed out")] // the store did not answer the count in time: it may have counted it
    public async Task A_record_the_store_did_not_take_gets_its_own_outcome_and_the_batch_goes_on(string failed)
    {
        var a = _bed.Register();
        var b = _bed.Register();
        Exception failure = failed switch
        {
            "unavailable" => new ServiceUnavailableException("Cosmos DB refused the request (503); it was not done."),
            "timed out" => new ServiceUnavailableException("Cosmos DB did not answer the request in time (408); it may have been done.") { MayHaveBeenDone = true },
            _ => new UsageNotCountedException("The usage store refused the record (429); nothing was counted."),
        };
        _bed.Ledger.BeforeRecord = c => c.AccountId == a && c.Amount == 5 ? throw failure : Task.CompletedTask;

        var outcomes = await _bed.Recording.RecordBatchAsync(
            [Record(a, AgentRuns, 2, "a-1"), Record(a, AgentRuns, 5, "a-2"), Record(a, AgentRuns, 3, "a-3"), Record(b, AgentRuns, 1, "b-1")],
            CancellationToken.None);

        Assert.Equal(2, outcomes[0].AssertSucceeded().Used);
        var notCounted = outcomes[1].AssertRefused();
        Assert.Equal(RefusalReason.UsageNotCounted, notCounted.Reason);
        Assert.Contains("Send it again with the same idempotency key", notCounted.Detail, StringComparison.Ordinal);
        Assert.Contains(failed == "timed out" ? "may have been counted" : "nothing was counted", notCounted.Detail, StringComparison.Ordinal);
        Assert.Equal(5, outcomes[2].AssertSucceeded().Used);
        Assert.Equal(1, outcomes[3].AssertSucceeded().Used);
        Assert.Equal([2L, 3L], _bed.Ledger.Consumed.Where(c => c.AccountId == a).Select(c => c.Amount));
        var warning = Assert.Single(_bed.RecordingLog.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning); // which account's usage the store did not take
        Assert.Equal((a.Value, "agent_runs", "1"), (warning.GetStructuredStateValue("AccountId"), warning.GetStructuredStateValue("Meter"), warning.GetStructuredStateValue("Index")));

        _bed.Ledger.BeforeRecord = null;
        Assert.Equal(10, (await _bed.RecordAsync(a, AgentRuns, 5, "a-2")).AssertSucceeded().Used); // the retry counts it once
    }

    [Fact]
    public async Task A_batch_holds_at_most_one_hundred_records()
    {
        var account = _bed.Register();
        var full = Enumerable.Range(0, UsageOptions.MaxBatchRecords).Select(_ => Record(account, ApiCalls, 1)).ToList();

        var outcomes = await _bed.Recording.RecordBatchAsync(full, CancellationToken.None);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _bed.Recording.RecordBatchAsync([.. full, Record(account, ApiCalls, 1)], CancellationToken.None));

        Assert.All(outcomes, o => o.AssertSucceeded());
        Assert.Equal(100, _bed.Used(account, _bed.CurrentMonth, ApiCalls));
        Assert.Contains("At most 100 records", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _bed.Recording.RecordBatchAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task A_check_answers_whether_usage_would_be_recorded_and_changes_nothing()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 8);

        var fits = (await _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, "agent_runs", 2), CancellationToken.None)).AssertSucceeded();
        var tooMuch = (await _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, "agent_runs", 3), CancellationToken.None)).AssertSucceeded();
        var unlimited = (await _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, "api_calls", 1_000_000), CancellationToken.None)).AssertSucceeded();

        Assert.Equal((true, 8L, 10L, 2L, true, (PlanCode?)null), (fits.Allowed, fits.Used, fits.Limit!.Value, fits.Remaining!.Value, fits.HardLimit, fits.UpgradePlan));
        Assert.Equal((false, PlanCode.Parse("BASIC"), PlanCode.Parse("FREE")), (tooMuch.Allowed, tooMuch.UpgradePlan!.Value, tooMuch.Plan));
        Assert.Equal((true, false, (long?)null), (unlimited.Allowed, unlimited.HardLimit, unlimited.Limit));
        Assert.Equal((_bed.CurrentMonth.Start, _bed.CurrentMonth.End), (fits.PeriodStart, fits.PeriodEnd));
        Assert.Single(_bed.Ledger.Consumed);
        Assert.Equal(8, _bed.Used(account, _bed.CurrentMonth, AgentRuns));
        Assert.Equal(RefusalReason.AccountNotFound, (await _bed.Recording.CheckAsync(new UsageCheckRequest(NewAccountId().Value, "agent_runs", 1), CancellationToken.None)).AssertRefused().Reason);
        Assert.Equal(["meter", "quantity"], (await _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, "projects", 0), CancellationToken.None)).AssertInvalid().Fields);
    }

    [Fact]
    public async Task A_check_with_occurred_at_judges_the_quantity_as_a_record_stamped_then()
    {
        var account = _bed.Register();
        await _bed.RecordAsync(account, AgentRuns, 10); // the old period's hard limit is used up
        var end = _bed.CurrentMonth.End;
        _bed.Time.SetUtcNow(end - TimeSpan.FromSeconds(5)); // our clock: the old period still; the caller's runs ahead, within the skew

        var now = (await CheckAsync(account, 1)).AssertSucceeded();
        var ahead = (await CheckAsync(account, 1, end.AddSeconds(10))).AssertSucceeded();
        var recorded = (await _bed.RecordAsync(account, AgentRuns, 1, "after-the-end", end.AddSeconds(10))).AssertSucceeded();

        Assert.Equal((false, _bed.CurrentMonth.Start), (now.Allowed, now.PeriodStart));
        Assert.Equal((true, end, 0L, 10L), (ahead.Allowed, ahead.PeriodStart, ahead.Used, ahead.Remaining!.Value));
        Assert.Equal(end, recorded.PeriodStart); // the record the check said would pass
        Assert.Equal("Must not be in the future.", Assert.Single((await CheckAsync(account, 1, _bed.Time.GetUtcNow().AddMinutes(5))).AssertInvalid().For("occurredAt")));
        Assert.StartsWith("Must be in the account's current usage period", Assert.Single((await CheckAsync(account, 1, _bed.CurrentMonth.Start.AddTicks(-1))).AssertInvalid().For("occurredAt")), StringComparison.Ordinal);
        Assert.Equal("occurredAt", Assert.Single((await CheckAsync(account, 1, end - TimeSpan.FromDays(2))).AssertInvalid().Fields)); // older than the late window
    }

    [Fact]
    public async Task A_check_without_occurred_at_answers_also_when_the_stored_period_starts_a_moment_after_our_clock()
    {
        var account = _bed.Register();
        var now = _bed.Time.GetUtcNow();
        var stored = (await _bed.Accounts.GetAsync(account, CancellationToken.None))!;
        var ahead = new SubscriptionSnapshot // Stripe's clock a little ahead of ours on a new subscription
        {
            SubscriptionId = "sub_ahead",
            CustomerId = "cus_ahead",
            Status = SubscriptionStatus.Active,
            PriceId = TestCatalog.BasicMonthly,
            Interval = BillingInterval.Month,
            CurrentPeriodStart = now.AddMilliseconds(500),
            CurrentPeriodEnd = now.AddMilliseconds(500).AddMonths(1),
            AsOf = now,
        };
        _bed.Accounts.Put(stored.ApplySubscriptionSnapshot(ahead, _bed.Catalog, TimeSpan.Zero).Account);

        var check = (await CheckAsync(account, 1)).AssertSucceeded();

        Assert.Equal((true, PlanCode.Parse("BASIC")), (check.Allowed, check.Plan));
    }

    [Fact]
    public async Task An_overage_meter_is_always_allowed_by_a_check()
    {
        var (account, _) = _bed.Subscribe(TestCatalog.ProMonthly);
        await _bed.RecordAsync(account, AgentRuns, 1_500);

        var check = (await _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, "agent_runs", 100), CancellationToken.None)).AssertSucceeded();

        Assert.Equal((true, false, 1_500L, 0L), (check.Allowed, check.HardLimit, check.Used, check.Remaining!.Value));
    }

    [Fact]
    public async Task A_check_answers_the_included_units_the_usage_view_shows_also_before_a_count_records_an_add_on_bought_since()
    {
        var (account, period) = _bed.Subscribe(TestCatalog.ProMonthly); // 1,000 runs included
        await _bed.RecordAsync(account, AgentRuns, 100); // the counters record the 1,000
        var addOn = new MeterAddOn { GrantId = "cs:more", Code = "RUNS_100", Meter = AgentRuns, Units = 100, GrantedAt = _bed.Time.GetUtcNow(), PeriodKey = period.Key, PaymentIntentId = "pi_more" };
        await _bed.Accounts.UpdateAsync(account, a => a.GrantAddOn(addOn), CancellationToken.None); // no count since

        var check = (await CheckAsync(account, 1)).AssertSucceeded();
        var view = (await _bed.Report.GetAsync(account, null, CancellationToken.None)).AssertSucceeded().Periods.Single().Meters.Single(m => m.Meter == AgentRuns);

        Assert.Equal(((long?)1_100, (long?)1_000), (check.Limit, check.Remaining));
        Assert.Equal(view.Quota, check.Limit);
    }

    private Task<Outcome<UsageCheck>> CheckAsync(AccountId account, long quantity, DateTimeOffset? occurredAt = null) =>
        _bed.Recording.CheckAsync(new UsageCheckRequest(account.Value, "agent_runs", quantity, occurredAt), CancellationToken.None);

    /// <summary>
    /// A 60-day window from <see cref="Start"/>: full on day 20 (402), a fresh quota on day 35 in the slice from Start + 1
    /// month to the window's end; the counters of the two slices are keyed <paramref name="keyPrefix"/>-{slice start}.
    /// </summary>
    private static async Task AssertQuotaRenewedInTheSecondMonthAsync(UsageTestBed bed, AccountId account, long limit, string keyPrefix)
    {
        bed.Time.SetUtcNow(Start.AddDays(20));
        (await bed.RecordAsync(account, AgentRuns, limit)).AssertSucceeded();
        var refused = (await bed.RecordAsync(account, AgentRuns, 1)).AssertRefused();
        bed.Time.SetUtcNow(Start.AddDays(35));
        var secondMonth = (await bed.RecordAsync(account, AgentRuns, 1)).AssertSucceeded();

        Assert.Equal(RefusalReason.QuotaExceeded, refused.Reason);
        Assert.Equal((Start.AddMonths(1), Start.AddDays(60), 1L, limit - 1), (secondMonth.PeriodStart, secondMonth.PeriodEnd, secondMonth.Used, secondMonth.Remaining!.Value));
        Assert.Equal([keyPrefix + "-20261121T120000Z", keyPrefix + "-20261221T120000Z"], bed.Ledger.Consumed.Select(c => c.Period.Key.Value).Distinct());
    }
}
