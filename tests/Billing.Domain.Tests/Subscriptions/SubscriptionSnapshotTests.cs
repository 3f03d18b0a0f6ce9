using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.Domain.Tests.Accounts;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Subscriptions;

public sealed class SubscriptionSnapshotTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 10, 10, 0, 5, TimeSpan.Zero);
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(5);
    private readonly PlanCatalog _catalog = TestCatalog.Create();

    [Fact]
    public void The_plan_is_the_first_item_with_a_catalog_price_wherever_the_merchant_put_it()
    {
        var snapshot = TestAccounts.Snapshot(T0, priceId: "price_priority_support") with
        {
            Interval = BillingInterval.Year,
            Items = [new SubscriptionItemPrice("price_priority_support", BillingInterval.Year), new SubscriptionItemPrice(TestCatalog.ProMonthly, BillingInterval.Month)],
        };

        var subscription = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero).Account.Subscription!;

        Assert.Equal(("PRO", TestCatalog.ProMonthly, BillingInterval.Month), (subscription.PlanCode!.Value.Value, subscription.PriceId, subscription.Interval));
        var none = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot with { Items = [snapshot.Items[0]] }, _catalog, TimeSpan.Zero).Account.Subscription!;
        Assert.Equal(("price_priority_support", (PlanCode?)null), (none.PriceId, none.PlanCode)); // no catalog price: no paid plan
    }

    [Fact]
    public void The_period_is_the_plan_item_s_when_the_items_bill_at_different_intervals()
    {
        // A monthly plan beside a yearly fee (a mixed-interval subscription): the snapshot's period spans both items (the
        // earliest start to the latest end), but the plan renews monthly: its item's period is the subscription's.
        var monthStart = new DateTimeOffset(2027, 6, 10, 10, 0, 0, TimeSpan.Zero);
        var yearStart = new DateTimeOffset(2027, 1, 10, 10, 0, 0, TimeSpan.Zero);
        var snapshot = TestAccounts.Snapshot(monthStart.AddDays(3), priceId: "price_platform_fee") with
        {
            CurrentPeriodStart = yearStart,
            CurrentPeriodEnd = yearStart.AddYears(1),
            Items =
            [
                new SubscriptionItemPrice("price_platform_fee", BillingInterval.Year) { PeriodStart = yearStart, PeriodEnd = yearStart.AddYears(1) },
                new SubscriptionItemPrice(TestCatalog.ProMonthly, BillingInterval.Month) { PeriodStart = monthStart, PeriodEnd = monthStart.AddMonths(1) },
            ],
        };

        var account = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero).Account;

        Assert.Equal((monthStart, monthStart.AddMonths(1)), (account.Subscription!.CurrentPeriodStart, account.Subscription.CurrentPeriodEnd));
        Assert.Equal(monthStart.AddMonths(1), account.RenewsBy); // the missed-event sweep looks after the monthly renewal, not a year on
        var entitlement = account.EntitlementAt(_catalog, monthStart.AddDays(4), TimeSpan.FromDays(7));
        Assert.Equal(UsagePeriod.SubscriptionPeriod(monthStart, monthStart.AddMonths(1)), entitlement.Period);

        // Without item periods (an older read) the snapshot's period stays.
        var older = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot with { Items = [.. snapshot.Items.Select(i => i with { PeriodStart = null, PeriodEnd = null })] }, _catalog, TimeSpan.Zero).Account;
        Assert.Equal(yearStart.AddYears(1), older.Subscription!.CurrentPeriodEnd);
    }

    [Fact]
    public void First_snapshot_is_applied_with_plan_resolved_from_the_price()
    {
        var result = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0), _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        var subscription = result.Account.Subscription!;
        Assert.Equal("sub_1", subscription.SubscriptionId);
        Assert.Equal("PRO", subscription.PlanCode!.Value.Value);
        Assert.Equal(BillingInterval.Month, subscription.Interval);
        Assert.Equal(T0, subscription.StripeStateAsOf);
        Assert.Null(result.EndedEarly);
    }

    [Fact]
    public void Newer_snapshot_is_applied()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddSeconds(1), SubscriptionStatus.PastDue), _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        Assert.Equal(SubscriptionStatus.PastDue, result.Account.Subscription!.Status);
        Assert.Equal(T0.AddSeconds(1), result.Account.Subscription.PastDueSince);
    }

    [Fact]
    public void Older_snapshot_is_ignored()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, SubscriptionStatus.Canceled));

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddSeconds(-1), SubscriptionStatus.Active), _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.Stale, result.Outcome);
        Assert.Same(account, result.Account);
        Assert.Equal(SubscriptionStatus.Canceled, account.Subscription!.Status);
    }

    [Fact]
    public void Equal_snapshot_is_an_idempotent_no_op()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0), _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.Duplicate, result.Outcome);
        Assert.Same(account, result.Account);
        Assert.False(result.Changed);
    }

    [Fact]
    public void Equal_time_with_different_content_changes_nothing_and_asks_for_a_refetch()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, SubscriptionStatus.Incomplete));

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0, SubscriptionStatus.Active), _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.SameInstantConflict, result.Outcome);
        Assert.Equal(SubscriptionStatus.Incomplete, result.Account.Subscription!.Status);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(5)]
    public void A_different_snapshot_dated_within_the_clock_skew_cannot_be_ordered_and_asks_for_a_refetch(int seconds)
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0) with { CancelAtPeriodEnd = true });

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddSeconds(seconds)), _catalog, Skew);

        Assert.Equal(SubscriptionSnapshotOutcome.SameInstantConflict, result.Outcome);
        Assert.Same(account, result.Account);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(5)]
    public void An_identical_snapshot_dated_within_the_clock_skew_is_a_duplicate(int seconds)
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0) with { CancelAtPeriodEnd = true });

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddSeconds(seconds)) with { CancelAtPeriodEnd = true }, _catalog, Skew);

        Assert.Equal(SubscriptionSnapshotOutcome.Duplicate, result.Outcome);
        Assert.Same(account, result.Account);
    }

    [Fact]
    public void An_identical_past_due_snapshot_dated_earlier_within_the_clock_skew_is_a_duplicate_whatever_its_past_due_since()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, SubscriptionStatus.PastDue));

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddSeconds(-2), SubscriptionStatus.PastDue), _catalog, Skew);

        Assert.Equal(SubscriptionSnapshotOutcome.Duplicate, result.Outcome);
        Assert.Equal(T0, result.Account.Subscription!.PastDueSince);
    }

    [Theory]
    [InlineData(-6, SubscriptionSnapshotOutcome.Stale)]
    [InlineData(6, SubscriptionSnapshotOutcome.Applied)]
    public void Beyond_the_clock_skew_the_dates_order_the_snapshots(int seconds, SubscriptionSnapshotOutcome expected)
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0) with { CancelAtPeriodEnd = true });

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddSeconds(seconds)), _catalog, Skew);

        Assert.Equal(expected, result.Outcome);
        Assert.Equal(expected == SubscriptionSnapshotOutcome.Stale, result.Account.Subscription!.CancelAtPeriodEnd);
    }

    [Fact]
    public void A_read_begun_after_the_state_was_stored_is_applied_within_the_clock_skew_and_dated_after_that_state()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));
        var reread = (TestAccounts.Snapshot(T0.AddSeconds(-2)) with { CancelAtPeriodEnd = true }).ReadAfter(T0); // its instance's clock runs behind

        var result = account.ApplySubscriptionSnapshot(reread, _catalog, Skew);

        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        Assert.True(result.Account.Subscription!.CancelAtPeriodEnd);
        Assert.Equal(T0.AddTicks(1), result.Account.Subscription.StripeStateAsOf);
        Assert.Equal(SubscriptionSnapshotOutcome.Duplicate, result.Account.ApplySubscriptionSnapshot(reread, _catalog, Skew).Outcome);
    }

    [Fact]
    public void A_read_begun_after_a_state_since_replaced_is_ordered_by_its_date_like_any_other()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));
        account = Apply(account, TestAccounts.Snapshot(T0.AddSeconds(10), SubscriptionStatus.PastDue));
        var reread = TestAccounts.Snapshot(T0.AddSeconds(8)).ReadAfter(T0);

        var result = account.ApplySubscriptionSnapshot(reread, _catalog, Skew);

        Assert.Equal(SubscriptionSnapshotOutcome.SameInstantConflict, result.Outcome);
    }

    [Fact]
    public void Past_due_since_is_kept_when_stripe_cancels_the_delinquent_subscription_so_its_access_ended_with_the_grace_period()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, SubscriptionStatus.PastDue));
        account = Apply(account, TestAccounts.Snapshot(T0.AddDays(14), SubscriptionStatus.Canceled));
        Assert.Equal(T0, account.Subscription!.PastDueSince);

        var never = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));
        never = Apply(never, TestAccounts.Snapshot(T0.AddDays(14), SubscriptionStatus.Canceled));
        Assert.Null(never.Subscription!.PastDueSince); // canceled in good standing: nothing to keep
    }

    [Fact]
    public void Past_due_since_is_kept_while_delinquent_and_cleared_on_recovery()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, SubscriptionStatus.PastDue));
        account = Apply(account, TestAccounts.Snapshot(T0.AddDays(2), SubscriptionStatus.PastDue) with { LatestInvoiceId = "in_2" });
        account = Apply(account, TestAccounts.Snapshot(T0.AddDays(5), SubscriptionStatus.Unpaid));
        Assert.Equal(T0, account.Subscription!.PastDueSince);

        account = Apply(account, TestAccounts.Snapshot(T0.AddDays(6), SubscriptionStatus.Active));
        Assert.Null(account.Subscription!.PastDueSince);
    }

    [Fact]
    public void Unknown_future_status_is_preserved()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, SubscriptionStatus.From("on_hold")));

        Assert.Equal("on_hold", account.Subscription!.Status.Value);
        Assert.False(account.Subscription.Status.IsKnown);
        Assert.True(account.HasLiveSubscription);
    }

    [Fact]
    public void Unknown_price_is_kept_without_a_plan()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, priceId: "price_legacy"));

        Assert.Equal("price_legacy", account.Subscription!.PriceId);
        Assert.Null(account.Subscription.PlanCode);
    }

    [Fact]
    public void Snapshot_of_another_customer_is_refused()
    {
        var account = TestAccounts.WithCustomer("cus_other");

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0), _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.CustomerMismatch, result.Outcome);
        Assert.Null(result.Account.Subscription);
    }

    [Fact]
    public void Customer_is_taken_from_the_snapshot_when_the_account_has_none()
    {
        var result = TestAccounts.New().ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0), _catalog, TimeSpan.Zero);

        Assert.Equal("cus_1", result.Account.StripeCustomerId);
    }

    [Fact]
    public void A_new_subscription_replaces_one_that_is_over_even_if_its_snapshot_is_older()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, SubscriptionStatus.Canceled) with { EndedAt = T0 });

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddSeconds(-10), subscriptionId: "sub_2"), _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        Assert.Equal("sub_2", result.Account.Subscription!.SubscriptionId);
    }

    [Fact]
    public void An_active_subscription_replaces_an_incomplete_attempt()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, SubscriptionStatus.Incomplete));

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddMinutes(5), subscriptionId: "sub_2"), _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        Assert.Equal("sub_2", result.Account.Subscription!.SubscriptionId);
    }

    [Fact]
    public void An_old_subscription_ending_does_not_replace_the_current_one()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, subscriptionId: "sub_2"));

        var result = account.ApplySubscriptionSnapshot(
            TestAccounts.Snapshot(T0.AddDays(1), SubscriptionStatus.Canceled, subscriptionId: "sub_old") with { EndedAt = T0.AddDays(1) },
            _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.SupersededByCurrent, result.Outcome);
        Assert.Equal("sub_2", result.Account.Subscription!.SubscriptionId);
    }

    [Fact]
    public void Of_two_ended_subscriptions_the_one_that_ended_last_stays_however_late_the_other_is_read()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0.AddDays(2), SubscriptionStatus.Canceled, subscriptionId: "sub_2") with { EndedAt = T0.AddDays(2) });

        var earlierEnded = account.ApplySubscriptionSnapshot(
            TestAccounts.Snapshot(T0.AddDays(5), SubscriptionStatus.Canceled, subscriptionId: "sub_1") with { EndedAt = T0.AddDays(1) }, // an old invoice paid, read late
            _catalog, TimeSpan.Zero);
        var laterEnded = account.ApplySubscriptionSnapshot(
            TestAccounts.Snapshot(T0.AddDays(3), SubscriptionStatus.Canceled, subscriptionId: "sub_3") with { EndedAt = T0.AddDays(3) },
            _catalog, TimeSpan.Zero);

        Assert.Equal((SubscriptionSnapshotOutcome.SupersededByCurrent, "sub_2"), (earlierEnded.Outcome, earlierEnded.Account.Subscription!.SubscriptionId));
        Assert.Equal((SubscriptionSnapshotOutcome.Applied, "sub_3"), (laterEnded.Outcome, laterEnded.Account.Subscription!.SubscriptionId));
    }

    [Fact]
    public void Of_two_live_subscriptions_that_grant_no_access_the_later_read_stays()
    {
        // Two Checkouts whose first payments are both incomplete: neither grants access, neither is over.
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0.AddMinutes(10), SubscriptionStatus.Incomplete, subscriptionId: "sub_2"));

        var readBefore = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddMinutes(5), SubscriptionStatus.Incomplete, subscriptionId: "sub_1"), _catalog, TimeSpan.Zero);
        var readAfter = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddMinutes(15), SubscriptionStatus.Incomplete, subscriptionId: "sub_3"), _catalog, TimeSpan.Zero);

        Assert.Equal((SubscriptionSnapshotOutcome.SupersededByCurrent, "sub_2"), (readBefore.Outcome, readBefore.Account.Subscription!.SubscriptionId));
        Assert.Equal((SubscriptionSnapshotOutcome.Applied, "sub_3"), (readAfter.Outcome, readAfter.Account.Subscription!.SubscriptionId));
    }

    [Fact]
    public void Of_two_subscriptions_with_equal_claims_read_at_the_same_instant_the_current_one_stays()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0.AddMinutes(10), SubscriptionStatus.Incomplete, subscriptionId: "sub_2"));

        var readTogether = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddMinutes(10), SubscriptionStatus.Incomplete, subscriptionId: "sub_3"), _catalog, TimeSpan.Zero);

        Assert.Equal((SubscriptionSnapshotOutcome.SupersededByCurrent, "sub_2"), (readTogether.Outcome, readTogether.Account.Subscription!.SubscriptionId));
    }

    [Fact]
    public void Two_subscriptions_that_both_grant_access_are_a_conflict()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddDays(1), subscriptionId: "sub_2"), _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.ConflictsWithLiveSubscription, result.Outcome);
        Assert.Equal("sub_1", result.Account.Subscription!.SubscriptionId);
    }

    [Fact]
    public void A_renewal_ends_no_period_early()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));
        var nextStart = TestAccounts.PeriodStart.AddMonths(1);

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(nextStart.AddSeconds(2), periodStart: nextStart), _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        Assert.Null(result.EndedEarly);
    }

    [Fact]
    public void Ending_at_once_ends_the_usage_period_there()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));
        var endedAt = TestAccounts.PeriodStart.AddDays(9);

        var result = account.ApplySubscriptionSnapshot(
            TestAccounts.Snapshot(endedAt, SubscriptionStatus.Canceled) with { EndedAt = endedAt, CanceledAt = endedAt },
            _catalog, TimeSpan.Zero);

        Assert.Equal((TestAccounts.PeriodStart, endedAt), (result.EndedEarly!.Start, result.EndedEarly.End));
        Assert.Equal(UsagePeriodKeyOf(TestAccounts.PeriodStart), result.EndedEarly.Key.Value);
    }

    [Fact]
    public void The_period_a_state_ended_early_is_kept_with_it_while_Stripe_says_the_same_and_dropped_when_it_says_otherwise()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));
        var endedAt = TestAccounts.PeriodStart.AddDays(9);
        var canceled = TestAccounts.Snapshot(endedAt, SubscriptionStatus.Canceled) with { EndedAt = endedAt, CanceledAt = endedAt };

        var stored = account.ApplySubscriptionSnapshot(canceled, _catalog, TimeSpan.Zero);
        var duplicate = stored.Account.ApplySubscriptionSnapshot(canceled, _catalog, TimeSpan.Zero);
        var readAgain = stored.Account.ApplySubscriptionSnapshot(canceled with { AsOf = endedAt.AddMinutes(1) }, _catalog, TimeSpan.Zero);
        var changed = readAgain.Account.ApplySubscriptionSnapshot(canceled with { AsOf = endedAt.AddMinutes(2), LatestInvoiceId = "in_final" }, _catalog, TimeSpan.Zero);

        Assert.Equal(stored.EndedEarly, stored.Account.Subscription!.PeriodEndedEarly);
        Assert.Equal((SubscriptionSnapshotOutcome.Duplicate, null, stored.EndedEarly), (duplicate.Outcome, duplicate.EndedEarly, duplicate.Account.Subscription!.PeriodEndedEarly));
        Assert.Equal((SubscriptionSnapshotOutcome.Applied, null, stored.EndedEarly), (readAgain.Outcome, readAgain.EndedEarly, readAgain.Account.Subscription!.PeriodEndedEarly));
        Assert.Equal((SubscriptionSnapshotOutcome.Applied, null), (changed.Outcome, changed.Account.Subscription!.PeriodEndedEarly));
    }

    [Fact]
    public void An_annual_plan_ended_at_once_ends_the_monthly_slice_it_was_in()
    {
        var yearly = TestAccounts.Snapshot(T0, priceId: TestCatalog.BasicYearly) with { CurrentPeriodEnd = TestAccounts.PeriodStart.AddYears(1) };
        var account = Apply(TestAccounts.WithCustomer(), yearly);
        var endedAt = TestAccounts.PeriodStart.AddMonths(3).AddDays(5);

        var result = account.ApplySubscriptionSnapshot(yearly with { AsOf = endedAt, Status = SubscriptionStatus.Canceled, EndedAt = endedAt, CanceledAt = endedAt }, _catalog, TimeSpan.Zero);

        var slice = TestAccounts.PeriodStart.AddMonths(3);
        Assert.Equal((slice, endedAt, UsagePeriodKeyOf(slice)), (result.EndedEarly!.Start, result.EndedEarly.End, result.EndedEarly.Key.Value));
    }

    [Fact]
    public void A_long_trial_paid_before_its_end_ends_the_monthly_slice_it_was_in()
    {
        var trialEnd = TestAccounts.PeriodStart.AddDays(60);
        var trial = TestAccounts.Snapshot(T0, SubscriptionStatus.Trialing) with { CurrentPeriodEnd = trialEnd, TrialStart = TestAccounts.PeriodStart, TrialEnd = trialEnd };
        var account = Apply(TestAccounts.WithCustomer(), trial);
        var paidAt = TestAccounts.PeriodStart.AddDays(40); // trial_end=now: the first paid period starts then

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(paidAt, periodStart: paidAt) with { TrialStart = TestAccounts.PeriodStart, TrialEnd = paidAt }, _catalog, TimeSpan.Zero);

        var slice = TestAccounts.PeriodStart.AddMonths(1);
        Assert.Equal((slice, paidAt, UsagePeriodKeyOf(slice)), (result.EndedEarly!.Start, result.EndedEarly.End, result.EndedEarly.Key.Value));
    }

    [Fact]
    public void A_billing_period_restarted_early_ends_the_usage_period_at_the_new_start()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));
        var restart = TestAccounts.PeriodStart.AddDays(12); // e.g. billing_cycle_anchor=now on a plan switch

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(restart.AddSeconds(1), periodStart: restart), _catalog, TimeSpan.Zero);

        Assert.Equal((TestAccounts.PeriodStart, restart, UsagePeriodKeyOf(TestAccounts.PeriodStart)), (result.EndedEarly!.Start, result.EndedEarly.End, result.EndedEarly.Key.Value));
    }

    [Fact]
    public void A_trial_shortened_ends_its_usage_period_at_the_new_end()
    {
        var trial = TestAccounts.Snapshot(T0, SubscriptionStatus.Trialing);
        var account = Apply(TestAccounts.WithCustomer(), trial);
        var newEnd = TestAccounts.PeriodStart.AddDays(20); // trial_end moved earlier: same period start, earlier end

        var shortened = account.ApplySubscriptionSnapshot(trial with { AsOf = T0.AddDays(2), CurrentPeriodEnd = newEnd }, _catalog, TimeSpan.Zero);
        var extended = account.ApplySubscriptionSnapshot(trial with { AsOf = T0.AddDays(2), CurrentPeriodEnd = TestAccounts.PeriodStart.AddDays(31) }, _catalog, TimeSpan.Zero);

        Assert.Equal((TestAccounts.PeriodStart, newEnd, UsagePeriodKeyOf(TestAccounts.PeriodStart)), (shortened.EndedEarly!.Start, shortened.EndedEarly.End, shortened.EndedEarly.Key.Value));
        Assert.Null(extended.EndedEarly); // a later end: the invoice job moves the period when it finds it still open
    }

    [Fact]
    public void A_renewal_shorter_than_projected_ends_the_projected_period_at_its_real_end()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));
        var renewal = TestAccounts.PeriodStart.AddMonths(1); // projected to end a month later
        var realEnd = renewal.AddDays(10); // e.g. a billing cycle anchor set on the renewal

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(renewal.AddSeconds(2), periodStart: renewal) with { CurrentPeriodEnd = realEnd }, _catalog, TimeSpan.Zero);

        Assert.Equal((renewal, realEnd, UsagePeriodKeyOf(renewal)), (result.EndedEarly!.Start, result.EndedEarly.End, result.EndedEarly.Key.Value));
    }

    [Fact]
    public void An_ordinary_update_ends_nothing()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0));

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddDays(1)) with { CancelAtPeriodEnd = true }, _catalog, TimeSpan.Zero);

        Assert.Null(result.EndedEarly);
        Assert.True(result.Account.Subscription!.CancelAtPeriodEnd);
    }

    [Fact]
    public void Past_due_since_is_kept_when_the_canceled_subscription_is_read_again_with_other_content()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, SubscriptionStatus.PastDue));
        account = Apply(account, TestAccounts.Snapshot(T0.AddDays(14), SubscriptionStatus.Canceled));

        account = Apply(account, TestAccounts.Snapshot(T0.AddDays(15), SubscriptionStatus.Canceled) with { EndedAt = T0.AddDays(14), LatestInvoiceId = "in_final" });

        Assert.Equal(T0, account.Subscription!.PastDueSince); // its access still ended with the grace period, not at a later read
    }

    [Fact]
    public void The_account_keeps_when_its_first_trial_began_when_a_later_subscription_reports_one()
    {
        var account = TestAccounts.WithCustomer().StartLocalTrial(_catalog, T0).Account;

        account = Apply(account, TestAccounts.Snapshot(T0.AddDays(20), SubscriptionStatus.Trialing) with { TrialStart = T0.AddDays(20), TrialEnd = T0.AddDays(34) });

        Assert.Equal(T0, account.TrialUsedAt);
    }

    [Fact]
    public void A_plan_item_period_that_is_no_span_leaves_the_subscription_s_period()
    {
        var itemInstant = TestAccounts.PeriodStart.AddDays(3);
        var snapshot = TestAccounts.Snapshot(T0) with
        {
            Items = [new SubscriptionItemPrice(TestCatalog.ProMonthly, BillingInterval.Month) { PeriodStart = itemInstant, PeriodEnd = itemInstant }],
        };

        var subscription = Apply(TestAccounts.WithCustomer(), snapshot).Subscription!;

        Assert.Equal((TestAccounts.PeriodStart, TestAccounts.PeriodStart.AddMonths(1)), (subscription.CurrentPeriodStart, subscription.CurrentPeriodEnd));
    }

    [Fact]
    public void An_expired_incomplete_attempt_is_over_and_leaves_the_trial_available()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, SubscriptionStatus.IncompleteExpired));

        Assert.False(account.HasLiveSubscription);
        Assert.True(account.IsTrialAvailable);
        Assert.Equal(LocalTrialStartOutcome.Started, account.StartLocalTrial(_catalog, T0.AddMinutes(1)).Outcome);
    }

    [Fact]
    public void A_subscription_with_an_end_is_over_whatever_its_status_says()
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0) with { EndedAt = T0 });

        Assert.False(account.HasLiveSubscription);
        Assert.Null(account.RenewsBy);
    }

    [Theory]
    [InlineData(3, 3)] // cancel_at before the period end: Stripe ends it then
    [InlineData(40, 30)] // cancel_at after the period end: the period end comes first
    public void A_scheduled_cancellation_ends_at_the_earlier_of_cancel_at_and_the_period_end(int cancelAtDays, int expectedDays)
    {
        var start = TestAccounts.PeriodStart;

        var cancelsAt = SubscriptionState.CancellationTime(cancelAtPeriodEnd: true, start.AddDays(30), start.AddDays(cancelAtDays));

        Assert.Equal(start.AddDays(expectedDays), cancelsAt);
    }

    [Fact]
    public void A_subscription_grants_access_until_the_instant_of_its_scheduled_cancellation_and_no_longer()
    {
        var cancelsAt = TestAccounts.PeriodStart.AddDays(30);

        Assert.True(SubscriptionState.CanGrantAccess(SubscriptionStatus.Active, cancelsAt, cancelsAt.AddTicks(-1)));
        Assert.False(SubscriptionState.CanGrantAccess(SubscriptionStatus.Active, cancelsAt, cancelsAt));
    }

    [Theory]
    [InlineData("past_due")]
    [InlineData("unpaid")]
    public void A_delinquent_subscription_in_its_grace_still_claims_the_account_against_a_second_one(string status)
    {
        var account = Apply(TestAccounts.WithCustomer(), TestAccounts.Snapshot(T0, SubscriptionStatus.From(status)));

        var result = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(T0.AddDays(1), subscriptionId: "sub_2"), _catalog, TimeSpan.Zero);

        Assert.Equal(SubscriptionSnapshotOutcome.ConflictsWithLiveSubscription, result.Outcome);
        Assert.Equal("sub_1", result.Account.Subscription!.SubscriptionId);
    }

    private static string UsagePeriodKeyOf(DateTimeOffset start) => UsagePeriodKey.ForSubscriptionPeriod(start).Value;

    private BillingAccount Apply(BillingAccount account, SubscriptionSnapshot snapshot)
    {
        var result = account.ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero);
        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        return result.Account;
    }
}
