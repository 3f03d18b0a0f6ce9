using Billing.Application.Admin;
using Billing.Application.Credits;
using Billing.Application.Invoicing;
using Billing.Application.Subscriptions;
using Billing.Application.Tests.Fakes;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Subscriptions;
using static Billing.Application.Tests.Fakes.UsageTestBed;

namespace Billing.Application.Tests.Usage;

/// <summary>
/// An add-on that raises an overage meter's included units and stops applying mid-period (it expires, or is refunded)
/// keeps covering what it covered while it applied, and nothing more. Included units are used soonest-ending first, so
/// an add-on that expires before the period ends is used before the plan's units and before a longer-lived add-on.
/// The live view, the upcoming invoice and the invoice agree. PRO includes 1,000 agent runs, 3 cents per run beyond;
/// the subscriber is in the 4th day of the period.
/// </summary>
public sealed class AddOnLapseTests
{
    private readonly InvoicingTestBed _bed = new();

    [Theory]
    [InlineData(1_400, 0, 1_500, 0)] // the add-on's 500 were used first: all of them stay included, 100 of the plan's are left
    [InlineData(1_400, 101, 1_500, 1)]
    [InlineData(300, 1_001, 1_300, 1)] // it lapsed with 200 unused: those are gone, the plan's 1,000 are left
    public async Task An_add_on_that_lapses_keeps_covering_what_was_used_of_it_while_it_applied_and_only_later_usage_beyond_is_billed(long usedWhileItApplied, long runsAfterLapse, long included, long billed)
    {
        var subscriber = await LapsedAsync(usedWhileItApplied); // +500 bought on day 4, lapsed on day 9; now day 10
        var gap = await LiveAsync(subscriber.Id);
        var gapUpcoming = await UpcomingAsync(subscriber.Id);
        if (runsAfterLapse > 0)
        {
            (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, runsAfterLapse)).AssertSucceeded();
        }

        var live = await LiveAsync(subscriber.Id);
        var upcoming = await UpcomingAsync(subscriber.Id);
        _bed.Close(subscriber.Period);
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((usedWhileItApplied, (long?)included, 0L, 0L), (gap.Used, gap.Quota, gap.OverageUnits, gap.OverageCharge!.Value.MinorUnits));
        Assert.Equal(0, gapUpcoming);
        Assert.Equal((usedWhileItApplied + runsAfterLapse, (long?)included, billed, billed * 3), (live.Used, live.Quota, live.OverageUnits, live.OverageCharge!.Value.MinorUnits));
        Assert.Equal(billed * 3, upcoming);
        Assert.Equal((billed, billed * 3), (run!.Lines.Sum(l => l.OverageUnits), run.Lines.Sum(l => l.Amount)));
    }

    [Fact]
    public async Task The_usage_check_and_the_counts_answer_give_the_amount_the_lapse_left()
    {
        var subscriber = await LapsedAsync(usedWhileItApplied: 1_400);

        var check = (await _bed.Usage.Recording.CheckAsync(new UsageCheckRequest(subscriber.Id.Value, AgentRuns.Value, 1), CancellationToken.None)).AssertSucceeded();
        var counted = (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 1)).AssertSucceeded();

        Assert.Equal(((long?)1_500, (long?)100), (check.Limit, check.Remaining));
        Assert.Equal((1_401L, (long?)1_500, (long?)99, 0L), (counted.Used, counted.Limit, counted.Remaining, counted.Overage));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_add_on_bought_after_a_lapse_adds_on_top_of_what_the_lapsed_one_covered(bool countedBetween)
    {
        var subscriber = await LapsedAsync(usedWhileItApplied: 1_400);
        if (countedBetween)
        {
            (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 1)).AssertSucceeded();
        }

        await BuyAsync(subscriber.Id, "after", 100, lasting: null);
        var bought = await LiveAsync(subscriber.Id);
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 1_601 - bought.Used)).AssertSucceeded();
        var live = await LiveAsync(subscriber.Id);

        Assert.Equal((long?)1_600, bought.Quota); // the plan's 1,000, the 500 the lapsed add-on covered, the new 100
        Assert.Equal((1_601L, (long?)1_600, 1L), (live.Used, live.Quota, live.OverageUnits));
        Assert.Equal(3, await UpcomingAsync(subscriber.Id));
    }

    [Fact]
    public async Task A_refunded_add_on_keeps_covering_what_it_covered_before_the_refund_and_nothing_after()
    {
        // An add-on lasting beyond the period is used after the plan's 1,000: of 1,200 runs it covered 200, which stay
        // included; its other 300 go with the refund.
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 0, tokens: 0);
        await BuyAsync(subscriber.Id, "refunded", 500, lasting: TimeSpan.FromDays(60));
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 1_200)).AssertSucceeded();
        _bed.Time.Advance(TimeSpan.FromDays(1));

        await RefundAsync(subscriber.Id, "refunded");
        var refunded = await LiveAsync(subscriber.Id);
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 100)).AssertSucceeded();
        var live = await LiveAsync(subscriber.Id);

        Assert.Equal(((long?)1_200, 0L), (refunded.Quota, refunded.OverageUnits));
        Assert.Equal(((long?)1_200, 100L), (live.Quota, live.OverageUnits));
        Assert.Equal(100 * 3, await UpcomingAsync(subscriber.Id));
    }

    [Fact]
    public async Task A_count_between_a_refund_and_its_included_units_refresh_keeps_what_the_refresh_keeps()
    {
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 0, tokens: 0);
        await BuyAsync(subscriber.Id, "refunded", 500, lasting: TimeSpan.FromDays(60));
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 1_200)).AssertSucceeded();
        _bed.Time.Advance(TimeSpan.FromDays(1));

        // The add-on is revoked in the account; the count comes before the refund handler records the included units.
        await _bed.Usage.Accounts.UpdateAsync(subscriber.Id, a => a.RevokeAddOn("pi_refunded", _bed.Time.GetUtcNow()), CancellationToken.None);
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 1)).AssertSucceeded();
        var counted = await LiveAsync(subscriber.Id);
        await RefundAsync(subscriber.Id, "refunded");

        Assert.Equal(((long?)1_200, 1L), (counted.Quota, counted.OverageUnits));
        Assert.Equal(((long?)1_200, 1L), ((await LiveAsync(subscriber.Id)).Quota, (await LiveAsync(subscriber.Id)).OverageUnits));
        Assert.Equal(1 * 3, await UpcomingAsync(subscriber.Id));
    }

    [Fact]
    public async Task A_refund_of_an_add_on_after_it_lapsed_takes_back_nothing_it_covered()
    {
        var subscriber = await LapsedAsync(usedWhileItApplied: 1_400);
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 1)).AssertSucceeded();

        await RefundAsync(subscriber.Id, "lapsing");
        var live = await LiveAsync(subscriber.Id);

        Assert.Equal(((long?)1_500, 0L), (live.Quota, live.OverageUnits));
        Assert.Equal(0, await UpcomingAsync(subscriber.Id));
    }

    [Fact]
    public async Task A_refund_that_fails_puts_the_add_on_back_in_full()
    {
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 0, tokens: 0);
        await BuyAsync(subscriber.Id, "refunded", 500, lasting: TimeSpan.FromDays(60));
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 1_200)).AssertSucceeded();
        _bed.Time.Advance(TimeSpan.FromDays(1));
        await RefundAsync(subscriber.Id, "refunded");

        var reinstated = await _bed.Usage.Accounts.UpdateAsync(subscriber.Id, a => a.ReinstateAddOn("pi_refunded"), CancellationToken.None);
        await _bed.Usage.IncludedUnits.RefreshAsync(reinstated, AgentRuns, _bed.Time.GetUtcNow(), CancellationToken.None);
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 300)).AssertSucceeded();
        var live = await LiveAsync(subscriber.Id);

        Assert.Equal((1_500L, (long?)1_500, 0L), (live.Used, live.Quota, live.OverageUnits));
        Assert.Equal(0, await UpcomingAsync(subscriber.Id));
    }

    [Fact]
    public async Task After_a_lapse_the_thresholds_are_shares_of_the_amount_it_left()
    {
        var subscriber = await LapsedAsync(usedWhileItApplied: 300); // it lapsed having covered 300: 1,300 included

        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 741)).AssertSucceeded();
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 259)).AssertSucceeded();

        Assert.Equal(
            [(80, 1_041L, 1_300L), (100, 1_300L, 1_300L)],
            _bed.Usage.Notifications.Sent.Where(n => n.Meter == AgentRuns.Value).Select(n => (n.Threshold, n.Used, n.Limit)));
    }

    [Fact]
    public async Task The_subscription_overview_and_the_operators_account_view_show_the_amount_the_lapse_left_before_any_count()
    {
        var subscriber = await LapsedAsync(usedWhileItApplied: 300); // nothing counted since the lapse: the counters still hold 1,500
        var overview = new SubscriptionOverview(_bed.Usage.Catalog, _bed.Usage.Accounts, _bed.Ledger, _bed.Usage.Entitlements, _bed.Time);
        var admin = new AdminAccounts(
            new InMemoryAccountDirectory(), _bed.Usage.Accounts, _bed.Usage.Entitlements, _bed.Ledger, _bed.Runs, new InMemoryStripeEventHistory(), new FakeStripe(_bed.Time),
            _bed.Usage.Catalog, _bed.Time, new CreditsOverview(_bed.Credits, _bed.CreditStore, _bed.Time));

        var shown = (await overview.GetAsync(subscriber.Id, CancellationToken.None)).Usage.Single(m => m.Meter == AgentRuns);
        var forOperator = (await admin.GetAsync(subscriber.Id, CancellationToken.None)).AssertSucceeded().CurrentUsage.Meters.Single(m => m.Meter == AgentRuns);

        Assert.Equal((300L, (long?)1_300, (long?)1_000, 0L), (shown.Used, shown.Quota, shown.Remaining, shown.OverageUnits)); // its 200 unused are gone
        Assert.Equal(shown, forOperator);
        Assert.Equal(shown, await LiveAsync(subscriber.Id));
    }

    [Fact]
    public async Task The_entitlements_give_an_overage_meter_the_included_units_the_usage_view_and_the_invoice_count_after_a_lapse()
    {
        var subscriber = await LapsedAsync(usedWhileItApplied: 1_400); // the lapsed add-on covered 500 of them: 1,500 included

        var entitled = (await _bed.Usage.Overview.GetAsync(subscriber.Id, CancellationToken.None)).Meters.Single(m => m.Policy.Meter == AgentRuns);
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 101)).AssertSucceeded();
        var live = await LiveAsync(subscriber.Id);
        _bed.Close(subscriber.Period);
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal(((long?)1_500, Billing.Domain.Plans.MeterEnforcement.Overage), (entitled.Policy.Quota, entitled.Policy.Enforcement));
        Assert.Equal((long?)1_500, live.Quota);
        Assert.Equal((1_500L, 1L, 3L), (Assert.Single(run!.Lines).Included, run.Lines[0].OverageUnits, run.Total));
    }

    [Fact]
    public async Task The_entitlements_drop_what_a_lapsed_add_on_left_unused_though_the_last_count_recorded_it_in_force()
    {
        // 300 runs counted while the +500 applied (the count recorded 1,500 included), taken from the add-on first (it ends
        // soonest); it lapsed with 200 unused: those are gone, 1,000 + 300 are the amount now, as the usage view counts it
        var subscriber = await LapsedAsync(usedWhileItApplied: 300);

        var entitled = (await _bed.Usage.Overview.GetAsync(subscriber.Id, CancellationToken.None)).Meters.Single(m => m.Policy.Meter == AgentRuns);
        var live = await LiveAsync(subscriber.Id);

        Assert.Equal(1_500, (await _bed.Ledger.GetAsync(subscriber.Id, subscriber.Period.Key, CancellationToken.None))!.Included[AgentRuns]); // as the last count recorded it
        Assert.Equal(((long?)1_300, (long?)1_300), (entitled.Policy.Quota, live.Quota));
    }

    [Fact]
    public async Task Of_two_add_ons_the_one_that_lapses_first_is_used_first_and_nothing_it_covered_is_billed()
    {
        // 1,500 runs while both apply: the short add-on's 500 first, then 1,000 of the plan's 1,000 and the long one's 500.
        // The short one lapses fully used; 500 of the plan and the long add-on are left for the 500 runs that follow.
        var subscriber = await TwoAddOnsAsync(usedWhileBothApplied: 1_500);
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 500)).AssertSucceeded();

        var live = await LiveAsync(subscriber.Id);
        var upcoming = await UpcomingAsync(subscriber.Id);
        _bed.Close(subscriber.Period);
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((2_000L, (long?)2_000, 0L), (live.Used, live.Quota, live.OverageUnits));
        Assert.Equal(0, upcoming);
        Assert.Equal((0L, 0L), (run!.Lines.Sum(l => l.OverageUnits), run.Lines.Sum(l => l.Amount)));
    }

    [Fact]
    public async Task A_refund_of_the_other_add_on_after_a_lapse_leaves_what_the_lapsed_one_covered()
    {
        // The short add-on lapsed having covered 500 of the 1,500 runs; the long one covered none of them (the plan's
        // 1,000 come before it), so its refund takes only its 500 units to come: 1,500 included, 100 runs beyond.
        var subscriber = await TwoAddOnsAsync(usedWhileBothApplied: 1_500);
        await RefundAsync(subscriber.Id, "long");
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, 100)).AssertSucceeded();

        var live = await LiveAsync(subscriber.Id);
        var upcoming = await UpcomingAsync(subscriber.Id);
        _bed.Close(subscriber.Period);
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((1_600L, (long?)1_500, 100L), (live.Used, live.Quota, live.OverageUnits));
        Assert.Equal(100 * 3, upcoming);
        Assert.Equal((100L, 100L * 3), (run!.Lines.Sum(l => l.OverageUnits), run.Lines.Sum(l => l.Amount)));
    }

    [Theory]
    [InlineData(false, 1_693)] // the add-on's 693 on top of the plan's 1,000: the 459 runs beyond are covered
    [InlineData(true, 1_459)] // refunded, it keeps the 459 it covered while it applied
    public async Task An_add_on_bought_while_the_subscription_had_fallen_to_the_free_plan_is_on_the_invoice_as_the_views_showed_it_once_payment_recovers(bool refunded, long included)
    {
        // 1,459 runs on PRO (459 beyond); the renewal payment fails and the 3-day grace period ends: the account has the
        // free plan's month, and buys an add-on of 693 runs lasting 60 days (and has it refunded). The payment recovers
        // before the period closes; nothing is counted after.
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 1_459, tokens: 0);
        _bed.Time.Advance(TimeSpan.FromMinutes(1));
        await StripeSaysAsync(subscriber, SubscriptionStatus.PastDue);
        _bed.Time.Advance(TimeSpan.FromDays(4));
        Assert.Equal(Billing.Domain.Entitlements.EntitlementSource.Free, _bed.Usage.Entitlements.Evaluate((await _bed.Usage.Accounts.GetAsync(subscriber.Id, CancellationToken.None))!, _bed.Time.GetUtcNow()).Source);
        await BuyAsync(subscriber.Id, "during-fallback", 693, lasting: TimeSpan.FromDays(60));
        if (refunded)
        {
            _bed.Time.Advance(TimeSpan.FromHours(1));
            await RefundAsync(subscriber.Id, "during-fallback");
        }

        _bed.Time.Advance(TimeSpan.FromDays(1));
        await StripeSaysAsync(subscriber, SubscriptionStatus.Active);

        var live = await LiveAsync(subscriber.Id);
        var upcoming = await UpcomingAsync(subscriber.Id);
        _bed.Close(subscriber.Period);
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal((1_459L, (long?)included, 0L), (live.Used, live.Quota, live.OverageUnits));
        Assert.Equal(0, upcoming);
        Assert.Equal((InvoiceRunStep.NothingToBill, 0L, 0L), (run!.Step, run.Lines.Sum(l => l.OverageUnits), run.Total));
        Assert.Empty(_bed.Stripe.InvoicesFor(subscriber.Job.RunId));
    }

    [Fact]
    public async Task A_recovery_whose_refresh_of_the_included_units_failed_refreshes_them_when_the_event_is_delivered_again()
    {
        // As above (kept): the add-on of 693 runs is bought while the free plan's month is current. The payment recovers,
        // but the first delivery of that event fails after the account is stored, while recording the included units; the
        // event is delivered again, and the account already reflects it.
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 1_459, tokens: 0);
        _bed.Time.Advance(TimeSpan.FromMinutes(1));
        await StripeSaysAsync(subscriber, SubscriptionStatus.PastDue);
        _bed.Time.Advance(TimeSpan.FromDays(4));
        await BuyAsync(subscriber.Id, "during-fallback", 693, lasting: TimeSpan.FromDays(60));
        _bed.Time.Advance(TimeSpan.FromDays(1));
        var subscription = _bed.StripeSubscriptions.Subscriptions[subscriber.SubscriptionId];
        subscription.Status = SubscriptionStatus.Active;
        var recovered = subscription.ToSnapshot(_bed.Time.GetUtcNow());
        _bed.Ledger.FailSetIncludedWith = new TimeoutException("Cosmos DB did not answer.");
        await Assert.ThrowsAsync<TimeoutException>(() => _bed.Webhooks.ApplyAsync(subscriber.Id, recovered, CancellationToken.None));
        _bed.Ledger.FailSetIncludedWith = null;
        _bed.Time.Advance(TimeSpan.FromMinutes(1));
        var redelivered = await _bed.Webhooks.ApplyAsync(subscriber.Id, recovered, CancellationToken.None);

        var live = await LiveAsync(subscriber.Id);
        _bed.Close(subscriber.Period);
        var run = await _bed.DeliverAsync(subscriber.Job);

        Assert.Equal(SubscriptionSnapshotOutcome.Duplicate, redelivered.Outcome);
        Assert.Equal((1_459L, (long?)1_693, 0L), (live.Used, live.Quota, live.OverageUnits));
        Assert.Equal((InvoiceRunStep.NothingToBill, 0L, 0L), (run!.Step, run.Lines.Sum(l => l.OverageUnits), run.Total));
    }

    /// <summary>
    /// A PRO subscriber with two add-ons of 500 runs bought on day 4: "short" lapses on day 9, "long" lasts beyond the
    /// period; <paramref name="usedWhileBothApplied"/> runs counted on day 4, the clock on day 10.
    /// </summary>
    private async Task<Subscriber> TwoAddOnsAsync(long usedWhileBothApplied)
    {
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 0, tokens: 0);
        await BuyAsync(subscriber.Id, "long", 500, lasting: TimeSpan.FromDays(60));
        await BuyAsync(subscriber.Id, "short", 500, lasting: TimeSpan.FromDays(5));
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, usedWhileBothApplied)).AssertSucceeded();
        _bed.Time.Advance(TimeSpan.FromDays(6));
        return subscriber;
    }

    /// <summary>A PRO subscriber whose add-on of 500 runs, bought on day 4, lapsed on day 9 after <paramref name="usedWhileItApplied"/> runs; the clock on day 10.</summary>
    private async Task<Subscriber> LapsedAsync(long usedWhileItApplied)
    {
        var subscriber = await _bed.SubscribeProAsync(agentRuns: 0, tokens: 0);
        await BuyAsync(subscriber.Id, "lapsing", 500, lasting: TimeSpan.FromDays(5));
        _bed.Time.Advance(TimeSpan.FromDays(4));
        (await _bed.Usage.RecordAsync(subscriber.Id, AgentRuns, usedWhileItApplied)).AssertSucceeded();
        _bed.Time.Advance(TimeSpan.FromDays(2));
        return subscriber;
    }

    /// <summary>Grants an add-on of <paramref name="units"/> runs paid by <c>pi_{id}</c> and records the included units, as a completed purchase does.</summary>
    private async Task BuyAsync(AccountId account, string id, long units, TimeSpan? lasting)
    {
        var now = _bed.Time.GetUtcNow();
        var addOn = new MeterAddOn { GrantId = "cs:" + id, Code = "EXTRA_AGENT_RUNS", Meter = AgentRuns, Units = units, GrantedAt = now, ExpiresAt = now + lasting, PaymentIntentId = "pi_" + id };
        var granted = await _bed.Usage.Accounts.UpdateAsync(account, a => a.GrantAddOn(addOn), CancellationToken.None);
        await _bed.Usage.IncludedUnits.RefreshAsync(granted, AgentRuns, now, CancellationToken.None);
    }

    /// <summary>Revokes the add-on paid by <c>pi_{id}</c> and records the included units, as a refund does.</summary>
    private async Task RefundAsync(AccountId account, string id)
    {
        var now = _bed.Time.GetUtcNow();
        var revoked = await _bed.Usage.Accounts.UpdateAsync(account, a => a.RevokeAddOn("pi_" + id, now), CancellationToken.None);
        await _bed.Usage.IncludedUnits.RefreshAsync(revoked, AgentRuns, now, CancellationToken.None);
    }

    /// <summary>Stripe reports the subscriber's subscription in <paramref name="status"/> (a webhook applies it).</summary>
    private async Task StripeSaysAsync(Subscriber subscriber, SubscriptionStatus status)
    {
        var subscription = _bed.StripeSubscriptions.Subscriptions[subscriber.SubscriptionId];
        subscription.Status = status;
        var applied = await _bed.Webhooks.ApplyAsync(subscriber.Id, subscription.ToSnapshot(_bed.Time.GetUtcNow()), CancellationToken.None);
        Assert.Equal(SubscriptionSnapshotOutcome.Applied, applied.Outcome);
    }

    private async Task<MeterUsage> LiveAsync(AccountId account) =>
        Assert.Single((await _bed.Usage.Report.GetAsync(account, UsageReport.Current, CancellationToken.None)).AssertSucceeded().Periods).Meters.Single(m => m.Meter == AgentRuns);

    private async Task<long> UpcomingAsync(AccountId account) =>
        (await _bed.Invoices.UpcomingAsync(account, CancellationToken.None)).Charges.Total.MinorUnits;
}
