using System.Globalization;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.Domain.Tests.Accounts;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Entitlements;

public sealed class EntitlementRulesTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(7);
    private static readonly DateTimeOffset PeriodStart = TestAccounts.PeriodStart;
    private static readonly DateTimeOffset PeriodEnd = PeriodStart.AddMonths(1);
    private static readonly DateTimeOffset Midway = PeriodStart.AddDays(10);

    private readonly PlanCatalog _catalog = TestCatalog.Create();

    [Fact]
    public void A_new_account_gets_the_free_plan_for_the_calendar_month()
    {
        var entitlement = Evaluate(TestAccounts.New(), new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero));

        Assert.Equal(EntitlementSource.Free, entitlement.Source);
        Assert.Same(_catalog.FreePlan, entitlement.Plan);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), entitlement.PeriodStart);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), entitlement.PeriodEnd);
        Assert.Equal("month-2026-11", entitlement.PeriodKey.Value);
        Assert.Null(entitlement.EndsAt);
    }

    [Theory]
    [InlineData("active")]
    [InlineData("trialing")]
    public void A_subscription_in_good_standing_gives_its_plan_and_period(string status)
    {
        var entitlement = Evaluate(Subscribed(SubscriptionStatus.From(status)), Midway);

        Assert.Equal(EntitlementSource.Subscription, entitlement.Source);
        Assert.Equal("PRO", entitlement.Plan.Code.Value);
        Assert.Equal(PeriodStart, entitlement.PeriodStart);
        Assert.Equal(PeriodEnd, entitlement.PeriodEnd);
        Assert.Equal("sub-20261110T100000Z", entitlement.PeriodKey.Value);
    }

    [Theory]
    [InlineData("past_due")]
    [InlineData("unpaid")]
    public void Delinquent_keeps_the_plan_during_the_grace_period_only(string status)
    {
        var pastDueSince = PeriodStart.AddDays(1);
        var account = Subscribed(SubscriptionStatus.From(status), asOf: pastDueSince);
        Assert.Equal(pastDueSince, account.Subscription!.PastDueSince);

        var justInside = Evaluate(account, pastDueSince + Grace - TimeSpan.FromTicks(1));
        Assert.Equal(EntitlementSource.GracePeriod, justInside.Source);
        Assert.Equal("PRO", justInside.Plan.Code.Value);
        Assert.Equal(pastDueSince + Grace, justInside.EndsAt);

        var atEnd = Evaluate(account, pastDueSince + Grace);
        Assert.Equal(EntitlementSource.Free, atEnd.Source);
        Assert.Equal("month-2026-11", atEnd.PeriodKey.Value);

        // Stripe's later retry fails too (unpaid, another invoice): a newer Stripe state, but the grace still runs from
        // the first failure, never from the latest event about it.
        var retried = account.ApplySubscriptionSnapshot(
            TestAccounts.Snapshot(pastDueSince.AddDays(3), SubscriptionStatus.Unpaid) with { LatestInvoiceId = "in_retry" }, _catalog, TimeSpan.Zero);
        Assert.Equal(SubscriptionSnapshotOutcome.Applied, retried.Outcome);
        Assert.Equal(pastDueSince, retried.Account.Subscription!.PastDueSince);
        Assert.Equal(pastDueSince + Grace, Evaluate(retried.Account, pastDueSince + Grace - TimeSpan.FromTicks(1)).EndsAt);
        Assert.Equal(EntitlementSource.Free, Evaluate(retried.Account, pastDueSince + Grace).Source);
    }

    [Fact]
    public void A_past_due_subscription_on_the_plan_last_paid_for_keeps_it_in_grace_with_nothing_unpaid()
    {
        var account = Subscribed(SubscriptionStatus.PastDue, asOf: Midway) with { LastPaidPlan = PlanCode.Parse("PRO") };

        var inGrace = Evaluate(account, Midway.AddDays(1));

        Assert.Equal((EntitlementSource.GracePeriod, "PRO"), (inGrace.Source, inGrace.Plan.Code.Value));
        Assert.Null(inGrace.UnpaidPlan);
    }

    [Fact]
    public void A_delinquent_subscription_cancelling_before_its_grace_ends_shows_the_cancellation_as_its_end()
    {
        // Payment failed two days before a scheduled cancellation: the grace would run five days past it, but the plan
        // ends with the subscription, and that is the date the customer is shown.
        var pastDueSince = PeriodEnd.AddDays(-2);
        var account = Subscribed(SubscriptionStatus.PastDue, asOf: pastDueSince, cancelAtPeriodEnd: true);

        var inGrace = Evaluate(account, PeriodEnd.AddDays(-1));

        Assert.Equal((EntitlementSource.GracePeriod, (DateTimeOffset?)PeriodEnd), (inGrace.Source, inGrace.EndsAt));
        Assert.Equal(EntitlementSource.Free, Evaluate(account, PeriodEnd).Source);
    }

    [Fact]
    public void Zero_grace_means_free_limits_as_soon_as_payment_fails()
    {
        var account = Subscribed(SubscriptionStatus.PastDue, asOf: Midway);

        Assert.Equal(EntitlementSource.Free, EntitlementRules.Evaluate(account, _catalog, Midway, TimeSpan.Zero).Source);
    }

    [Fact]
    public void Cancel_at_period_end_keeps_the_plan_until_the_period_ends()
    {
        var account = Subscribed(SubscriptionStatus.Active, cancelAtPeriodEnd: true);

        var before = Evaluate(account, PeriodEnd.AddTicks(-1));
        Assert.Equal(EntitlementSource.Subscription, before.Source);
        Assert.Equal(PeriodEnd, before.EndsAt);

        var after = Evaluate(account, PeriodEnd);
        Assert.Equal(EntitlementSource.Free, after.Source);
        Assert.Equal("month-2026-12", after.PeriodKey.Value);
    }

    [Fact]
    public void Cancel_at_a_set_time_keeps_the_plan_until_then()
    {
        var cancelAt = PeriodStart.AddDays(20);
        var account = Subscribed(SubscriptionStatus.Active, cancelAt: cancelAt);

        Assert.Equal(EntitlementSource.Subscription, Evaluate(account, cancelAt.AddSeconds(-1)).Source);
        Assert.Equal(EntitlementSource.Free, Evaluate(account, cancelAt).Source);
    }

    [Theory]
    [InlineData("canceled")]
    [InlineData("incomplete")]
    [InlineData("incomplete_expired")]
    [InlineData("paused")]
    [InlineData("some_future_status")]
    public void Other_statuses_give_free_limits(string status)
    {
        var entitlement = Evaluate(Subscribed(SubscriptionStatus.From(status)), Midway);

        Assert.Equal(EntitlementSource.Free, entitlement.Source);
        Assert.Same(_catalog.FreePlan, entitlement.Plan);
    }

    [Fact]
    public void An_ended_subscription_gives_free_limits_even_if_the_status_lags()
    {
        var account = Subscribed(SubscriptionStatus.Active, endedAt: Midway);

        Assert.Equal(EntitlementSource.Subscription, Evaluate(account, Midway.AddSeconds(-1)).Source);
        Assert.Equal(EntitlementSource.Free, Evaluate(account, Midway).Source);
    }

    [Fact]
    public void A_price_not_in_the_catalog_gives_free_limits()
    {
        var account = Subscribed(SubscriptionStatus.Active, priceId: "price_removed");

        Assert.Equal(EntitlementSource.Free, Evaluate(account, Midway).Source);
    }

    [Fact]
    public void The_subscriptions_price_names_its_plan_before_the_plan_code_stored_with_it()
    {
        var account = Subscribed(SubscriptionStatus.Active);
        account = account with { Subscription = account.Subscription! with { PlanCode = PlanCode.Parse("BASIC") } }; // stored before the catalog moved the price

        Assert.Equal("PRO", Evaluate(account, Midway).Plan.Code.Value);
    }

    [Fact]
    public void Only_a_paid_plan_is_granted_from_a_subscription_or_from_the_plan_last_paid_for()
    {
        // Plan codes stored before the catalog changed: a subscription naming the free plan, a grace naming the trial plan.
        var removedPrice = Subscribed(SubscriptionStatus.Active, priceId: "price_removed");
        var namingFree = removedPrice with { Subscription = removedPrice.Subscription! with { PlanCode = PlanCode.Parse("FREE") } };
        var pastDue = Subscribed(SubscriptionStatus.PastDue, asOf: Midway) with { LastPaidPlan = PlanCode.Parse("TRIAL") };

        Assert.Equal(EntitlementSource.Free, Evaluate(namingFree, Midway).Source);
        Assert.Equal((EntitlementSource.GracePeriod, "PRO"), (Evaluate(pastDue, Midway.AddDays(1)).Source, Evaluate(pastDue, Midway.AddDays(1)).Plan.Code.Value));
    }

    [Fact]
    public void A_local_trial_applies_until_it_ends_by_time_alone()
    {
        var started = new DateTimeOffset(2026, 11, 20, 8, 30, 0, TimeSpan.Zero);
        var account = TestAccounts.New().StartLocalTrial(_catalog, started).Account;

        var during = Evaluate(account, started.AddDays(TestCatalog.LocalTrialDays).AddSeconds(-1));
        Assert.Equal(EntitlementSource.LocalTrial, during.Source);
        Assert.Equal("TRIAL", during.Plan.Code.Value);
        Assert.Equal(started, during.PeriodStart);
        Assert.Equal(started.AddDays(TestCatalog.LocalTrialDays), during.PeriodEnd);
        Assert.Equal(started.AddDays(TestCatalog.LocalTrialDays), during.EndsAt);
        Assert.Equal("trial-20261120T083000Z", during.PeriodKey.Value);

        var after = Evaluate(account, started.AddDays(TestCatalog.LocalTrialDays));
        Assert.Equal(EntitlementSource.Free, after.Source);
        Assert.Equal("month-2026-11", after.PeriodKey.Value);
    }

    [Fact]
    public void A_local_trial_applies_from_the_instant_it_starts()
    {
        var started = new DateTimeOffset(2026, 11, 20, 8, 30, 0, TimeSpan.Zero);
        var account = TestAccounts.New().StartLocalTrial(_catalog, started).Account;

        Assert.Equal(EntitlementSource.LocalTrial, Evaluate(account, started).Source);
        Assert.Equal(EntitlementSource.Free, Evaluate(account, started.AddTicks(-1)).Source);
    }

    [Fact]
    public void The_free_month_after_paid_access_ended_counts_usage_from_that_moment()
    {
        var cancelAt = PeriodStart.AddDays(20); // 30 Nov 10:00
        var (graceStart, graceEnd) = (PeriodStart.AddDays(1), PeriodStart.AddDays(1) + Grace);
        var trialStart = new DateTimeOffset(2026, 11, 20, 8, 30, 0, TimeSpan.Zero);
        var trialEnd = trialStart.AddDays(TestCatalog.LocalTrialDays);

        Assert.Equal(cancelAt, Evaluate(Subscribed(SubscriptionStatus.Active, cancelAt: cancelAt), cancelAt.AddMinutes(10)).UsageStart);
        Assert.Equal(Midway, Evaluate(Subscribed(SubscriptionStatus.Active, endedAt: Midway), Midway.AddDays(1)).UsageStart);
        Assert.Equal(Midway, Evaluate(Subscribed(SubscriptionStatus.Canceled, asOf: Midway), Midway.AddDays(1)).UsageStart);
        // Canceled at the period end it was scheduled for weeks before (Stripe's canceled_at: when it was asked for).
        var scheduled = Subscribed(SubscriptionStatus.Canceled, asOf: PeriodEnd, cancelAtPeriodEnd: true, canceledAt: PeriodStart.AddDays(2));
        Assert.Equal(PeriodEnd, Evaluate(scheduled, PeriodEnd.AddHours(1)).UsageStart);
        // Canceled at once (no end recorded): from Stripe's canceled_at.
        Assert.Equal(Midway, Evaluate(Subscribed(SubscriptionStatus.Canceled, asOf: Midway.AddHours(2), canceledAt: Midway), Midway.AddDays(1)).UsageStart);
        Assert.Equal(graceEnd, Evaluate(Subscribed(SubscriptionStatus.PastDue, asOf: graceStart), graceEnd.AddHours(1)).UsageStart);
        // Stripe's later retry failed too (unpaid, another invoice): access still ended when the grace of the first failure did.
        var retried = Subscribed(SubscriptionStatus.PastDue, asOf: graceStart)
            .ApplySubscriptionSnapshot(TestAccounts.Snapshot(graceStart.AddDays(3), SubscriptionStatus.Unpaid) with { LatestInvoiceId = "in_retry" }, _catalog, TimeSpan.Zero).Account;
        Assert.Equal(graceEnd, Evaluate(retried, graceEnd.AddDays(4)).UsageStart);
        // Canceled days after the grace of a failed payment ended: access ended with the grace, not with the cancellation.
        var canceledAfterGrace = Subscribed(SubscriptionStatus.PastDue, asOf: graceStart)
            .ApplySubscriptionSnapshot(TestAccounts.Snapshot(graceEnd.AddDays(3), SubscriptionStatus.Canceled), _catalog, TimeSpan.Zero).Account;
        Assert.Equal(graceEnd, Evaluate(canceledAfterGrace, graceEnd.AddDays(4)).UsageStart);
        // Past due with a cancellation before the grace ends: the first end that passed.
        Assert.Equal(graceStart.AddDays(2), Evaluate(Subscribed(SubscriptionStatus.PastDue, asOf: graceStart, cancelAt: graceStart.AddDays(2)), graceEnd.AddHours(1)).UsageStart);
        Assert.Equal(trialEnd, Evaluate(TestAccounts.New().StartLocalTrial(_catalog, trialStart).Account, trialEnd.AddHours(1)).UsageStart);
        // A local trial that ended (16 Nov), then a subscription that ended later in the month (20 Nov): the later end.
        var trialThenSubscription = TestAccounts.WithCustomer().StartLocalTrial(_catalog, PeriodStart.AddDays(-1)).Account
            .ApplySubscriptionSnapshot(TestAccounts.Snapshot(PeriodStart), _catalog, TimeSpan.Zero).Account
            .ApplySubscriptionSnapshot(TestAccounts.Snapshot(Midway, SubscriptionStatus.Canceled) with { EndedAt = Midway }, _catalog, TimeSpan.Zero).Account;
        Assert.Equal(Midway, Evaluate(trialThenSubscription, Midway.AddDays(1)).UsageStart);
    }

    [Fact]
    public void The_free_month_counts_from_its_start_when_no_paid_access_ended_in_it()
    {
        var month = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var endedLastMonth = Subscribed(SubscriptionStatus.Active, cancelAtPeriodEnd: true); // ended 10 Dec 10:00

        Assert.Null(Evaluate(TestAccounts.New(), Midway).CountsFrom);
        Assert.Equal(month.AddMonths(1), Evaluate(endedLastMonth, month.AddMonths(1).AddDays(2)).UsageStart); // ended in December
        Assert.Null(Evaluate(Subscribed(SubscriptionStatus.Incomplete), Midway).CountsFrom); // a checkout never paid gave no access
        Assert.Null(Evaluate(Subscribed(SubscriptionStatus.Active, priceId: "price_removed"), Midway).CountsFrom);
        Assert.Equal(PeriodStart, Evaluate(Subscribed(SubscriptionStatus.Active), Midway).UsageStart); // paid: its own period
    }

    [Fact]
    public void A_subscription_takes_precedence_over_a_running_local_trial()
    {
        var account = TestAccounts.WithCustomer().StartLocalTrial(_catalog, PeriodStart.AddDays(-1)).Account;
        account = account.ApplySubscriptionSnapshot(TestAccounts.Snapshot(PeriodStart), _catalog, TimeSpan.Zero).Account;

        Assert.Equal(EntitlementSource.Subscription, Evaluate(account, Midway).Source);
    }

    [Fact]
    public void A_renewal_not_yet_reported_by_Stripe_continues_in_the_next_period()
    {
        var account = Subscribed(SubscriptionStatus.Active);

        var justAfter = Evaluate(account, PeriodEnd.AddMinutes(1));
        Assert.Equal(EntitlementSource.Subscription, justAfter.Source);
        Assert.Equal(PeriodEnd, justAfter.PeriodStart);
        Assert.Equal(PeriodEnd.AddMonths(1), justAfter.PeriodEnd);
        Assert.Equal("sub-20261210T100000Z", justAfter.PeriodKey.Value);

        var twoLater = Evaluate(account, PeriodEnd.AddMonths(2).AddDays(1));
        Assert.Equal(PeriodEnd.AddMonths(2), twoLater.PeriodStart);
    }

    [Fact]
    public void A_period_ends_at_its_end_instant_so_usage_at_that_instant_is_counted_in_the_next_one()
    {
        var account = Subscribed(SubscriptionStatus.Active);

        var atTheEnd = Evaluate(account, PeriodEnd); // Stripe's renewal not seen yet: [PeriodEnd, PeriodEnd + 1 month)
        var atTheNextEnd = Evaluate(account, PeriodEnd.AddMonths(1)); // the projected period ends as exactly

        Assert.Equal((PeriodEnd, PeriodEnd.AddMonths(1)), (atTheEnd.PeriodStart, atTheEnd.PeriodEnd));
        Assert.Equal((PeriodEnd.AddMonths(1), PeriodEnd.AddMonths(2)), (atTheNextEnd.PeriodStart, atTheNextEnd.PeriodEnd));
        Assert.Equal((PeriodStart, PeriodEnd), (Evaluate(account, PeriodEnd.AddTicks(-1)).PeriodStart, Evaluate(account, PeriodEnd.AddTicks(-1)).PeriodEnd));
    }

    [Theory]
    [InlineData("2027-01-31T08:00:00Z", "2027-02-28T08:00:00Z", "2027-03-31T08:00:00Z", "2027-04-30T08:00:00Z")] // anchor on the 31st
    [InlineData("2027-03-31T08:00:00Z", "2027-04-30T08:00:00Z", "2027-05-31T08:00:00Z", "2027-06-30T08:00:00Z")]
    [InlineData("2027-01-30T08:00:00Z", "2027-02-28T08:00:00Z", "2027-03-30T08:00:00Z", "2027-04-30T08:00:00Z")] // anchor on the 30th
    [InlineData("2027-02-10T08:00:00Z", "2027-03-31T08:00:00Z", "2027-04-30T08:00:00Z", "2027-05-31T08:00:00Z")] // not one whole month: counted from its end
    public void A_renewal_not_yet_reported_by_Stripe_ends_where_Stripe_will_end_it_counted_from_the_billing_anchor(string start, string end, string nextEnd, string afterThat)
    {
        var periodStart = DateTimeOffset.Parse(start, CultureInfo.InvariantCulture);
        var snapshot = TestAccounts.Snapshot(periodStart, periodStart: periodStart) with { CurrentPeriodEnd = DateTimeOffset.Parse(end, CultureInfo.InvariantCulture) };
        var account = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero).Account;

        var next = Evaluate(account, DateTimeOffset.Parse(end, CultureInfo.InvariantCulture).AddMinutes(1));
        var later = Evaluate(account, DateTimeOffset.Parse(nextEnd, CultureInfo.InvariantCulture).AddMinutes(1));

        Assert.Equal((DateTimeOffset.Parse(end, CultureInfo.InvariantCulture), DateTimeOffset.Parse(nextEnd, CultureInfo.InvariantCulture)), (next.PeriodStart, next.PeriodEnd));
        Assert.Equal((DateTimeOffset.Parse(nextEnd, CultureInfo.InvariantCulture), DateTimeOffset.Parse(afterThat, CultureInfo.InvariantCulture)), (later.PeriodStart, later.PeriodEnd));
    }

    [Theory]
    [InlineData("2027-03-31T08:00:00Z", "2027-04-30T08:00:00Z", "2027-05-30T08:00:00Z", "2027-06-30T08:00:00Z")] // a 30-day trial from the 31st
    [InlineData("2027-01-31T08:00:00Z", "2027-02-28T08:00:00Z", "2027-03-28T08:00:00Z", "2027-04-28T08:00:00Z")] // a 28-day trial from the 31st
    [InlineData("2027-01-29T08:00:00Z", "2027-02-28T08:00:00Z", "2027-03-28T08:00:00Z", "2027-04-28T08:00:00Z")] // a 30-day trial from the 29th
    public void A_trial_not_yet_reported_as_ended_is_followed_by_periods_anchored_on_its_end_as_Stripe_anchors_them(string start, string trialEnd, string nextEnd, string afterThat)
    {
        // Stripe's billing cycle anchor is the trial end (docs.stripe.com/billing/subscriptions/billing-cycle), even when
        // the trial lasted one calendar month to the day, clamped (Mar 31 + 30 days = Apr 30 = Mar 31 + 1 month).
        var trialStart = DateTimeOffset.Parse(start, CultureInfo.InvariantCulture);
        var end = DateTimeOffset.Parse(trialEnd, CultureInfo.InvariantCulture);
        var snapshot = TestAccounts.Snapshot(trialStart, SubscriptionStatus.Trialing, periodStart: trialStart) with { CurrentPeriodEnd = end, TrialStart = trialStart, TrialEnd = end };
        var account = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero).Account;

        var next = Evaluate(account, end.AddMinutes(1));
        var later = Evaluate(account, DateTimeOffset.Parse(nextEnd, CultureInfo.InvariantCulture).AddMinutes(1));

        Assert.Equal((end, DateTimeOffset.Parse(nextEnd, CultureInfo.InvariantCulture)), (next.PeriodStart, next.PeriodEnd));
        Assert.Equal((DateTimeOffset.Parse(nextEnd, CultureInfo.InvariantCulture), DateTimeOffset.Parse(afterThat, CultureInfo.InvariantCulture)), (later.PeriodStart, later.PeriodEnd));
    }

    [Theory]
    [InlineData("2027-01-15T08:00:00Z", "2027-04-15T08:00:00Z", "2027-05-15T08:00:00Z")] // every 3 months: the next period's first monthly slice
    [InlineData("2027-01-15T08:00:00Z", "2027-01-22T08:00:00Z", "2027-01-29T08:00:00Z")] // every week: the next week
    public void A_renewal_not_yet_reported_of_an_interval_the_app_does_not_know_continues_in_a_period_as_long_as_the_last(string start, string end, string nextEnd)
    {
        // Stripe's price bills every 3 months or every week (the snapshot's interval is then unknown), and the catalog
        // learned the price after the subscription was applied: the usage after the period end belongs to the period
        // Stripe's renewal will report, starting at that end, not to the calendar month (which would be invoiced as a
        // period of its own, with its own included units).
        var periodStart = DateTimeOffset.Parse(start, CultureInfo.InvariantCulture);
        var periodEnd = DateTimeOffset.Parse(end, CultureInfo.InvariantCulture);
        var snapshot = TestAccounts.Snapshot(periodStart, periodStart: periodStart) with { CurrentPeriodEnd = periodEnd };
        var account = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero).Account;
        account = account with { Subscription = account.Subscription! with { Interval = null } };

        var next = Evaluate(account, periodEnd.AddMinutes(1));
        var after = Evaluate(account, DateTimeOffset.Parse(nextEnd, CultureInfo.InvariantCulture).AddMinutes(1));

        Assert.Equal(EntitlementSource.Subscription, next.Source);
        Assert.Equal((periodEnd, DateTimeOffset.Parse(nextEnd, CultureInfo.InvariantCulture)), (next.PeriodStart, next.PeriodEnd));
        Assert.Equal(DateTimeOffset.Parse(nextEnd, CultureInfo.InvariantCulture), after.PeriodStart);
    }

    [Fact]
    public void A_subscription_without_period_data_counts_by_calendar_month()
    {
        var account = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(
            TestAccounts.Snapshot(PeriodStart) with { CurrentPeriodStart = null, CurrentPeriodEnd = null },
            _catalog, TimeSpan.Zero).Account;

        var entitlement = Evaluate(account, Midway);

        Assert.Equal(EntitlementSource.Subscription, entitlement.Source);
        Assert.Equal("month-2026-11", entitlement.PeriodKey.Value);
    }

    [Fact]
    public void An_overage_meters_included_units_are_used_soonest_ending_first_the_plans_before_an_add_on_ending_with_them()
    {
        var runs = MeterName.Parse("agent_runs");
        MeterAddOn AddOn(string id, long units, DateTimeOffset grantedAt, DateTimeOffset? expiresAt, DateTimeOffset? revokedAt = null) =>
            new() { GrantId = id, Code = "RUNS", Meter = runs, Units = units, GrantedAt = grantedAt, ExpiresAt = expiresAt, RevokedAt = revokedAt };
        var account = Subscribed(SubscriptionStatus.Active) with
        {
            AddOns =
            [
                AddOn("cs:beyond", 50, PeriodStart, PeriodEnd.AddDays(40)), // lasts beyond the period: ends with it here
                AddOn("cs:day20", 20, PeriodStart.AddDays(1), PeriodStart.AddDays(20)),
                AddOn("cs:refunded", 30, PeriodStart, PeriodStart.AddDays(15), revokedAt: PeriodStart.AddDays(2)), // keeps its place
                AddOn("cs:day5", 5, PeriodStart.AddDays(1), PeriodStart.AddDays(5)), // expired by now
                AddOn("cs:period", 10, PeriodStart.AddDays(-1), null), // no expiry: this period (its key is not set here)
                AddOn("cs:before", 40, PeriodStart.AddDays(-20), PeriodStart.AddDays(-1)), // expired before the period: none of it
            ],
        };

        var allowances = Evaluate(account, Midway).AllowancesOf(runs);

        Assert.Equal(
            [("cs:day5", 5L, AllowanceState.Expired), ("cs:refunded", 30L, AllowanceState.Revoked), ("cs:day20", 20L, AllowanceState.InForce),
             (MeterAllowance.PlanId, 1_000L, AllowanceState.InForce), ("cs:period", 10L, AllowanceState.InForce), ("cs:beyond", 50L, AllowanceState.InForce)],
            allowances.Select(a => (a.Id, a.Units, a.State)));
        Assert.Empty(Evaluate(account, Midway).AllowancesOf(MeterName.Parse("api_calls"))); // not billed as overage
    }

    [Fact]
    public void The_add_ons_in_force_are_listed_oldest_first_and_each_raises_its_own_meter_only()
    {
        var runs = MeterName.Parse("agent_runs");
        var projects = MeterName.Parse("projects");
        MeterAddOn AddOn(string id, MeterName meter, long units, DateTimeOffset grantedAt) =>
            new() { GrantId = id, Code = "EXTRA", Meter = meter, Units = units, GrantedAt = grantedAt, ExpiresAt = PeriodEnd.AddDays(40) };
        var account = Subscribed(SubscriptionStatus.Active) with
        {
            AddOns = [AddOn("cs:later", projects, 5, PeriodStart.AddDays(2)), AddOn("cs:first", runs, 100, PeriodStart.AddDays(1))],
        };

        var entitlement = Evaluate(account, Midway);

        Assert.Equal(["cs:first", "cs:later"], entitlement.AddOns.Select(a => a.GrantId));
        Assert.Equal(
            (entitlement.Plan.PolicyFor(runs).Quota + 100, entitlement.Plan.PolicyFor(projects).Quota + 5),
            (entitlement.PolicyFor(runs).Quota, entitlement.PolicyFor(projects).Quota));
    }

    [Fact]
    public void Add_ons_that_stopped_applying_in_the_period_are_listed_oldest_first_also_when_none_is_in_force()
    {
        var runs = MeterName.Parse("agent_runs");
        MeterAddOn AddOn(string id, DateTimeOffset grantedAt, DateTimeOffset expiresAt) =>
            new() { GrantId = id, Code = "RUNS", Meter = runs, Units = 10, GrantedAt = grantedAt, ExpiresAt = expiresAt };
        var account = Subscribed(SubscriptionStatus.Active) with
        {
            AddOns = [AddOn("cs:second", PeriodStart.AddDays(2), PeriodStart.AddDays(4)), AddOn("cs:first", PeriodStart.AddDays(1), PeriodStart.AddDays(5))],
        };

        var entitlement = Evaluate(account, Midway);

        Assert.Empty(entitlement.AddOns);
        Assert.Equal(["cs:first", "cs:second"], entitlement.EndedAddOns.Select(a => a.GrantId)); // what they covered stays covered
    }

    [Fact]
    public void An_overdue_subscription_past_its_grace_is_the_unpaid_plan_under_the_free_or_trial_plan_until_it_ends()
    {
        var pastDueSince = PeriodStart.AddDays(1);
        var overdue = Subscribed(SubscriptionStatus.PastDue, asOf: pastDueSince);
        var afterGrace = Evaluate(overdue, pastDueSince + Grace);
        Assert.Equal((EntitlementSource.Free, "PRO"), (afterGrace.Source, afterGrace.UnpaidPlan?.Code.Value));

        // A local trial still running when the first payment fails (no grace here): the trial's limits, the subscription unpaid.
        var onTrial = TestAccounts.WithCustomer().StartLocalTrial(_catalog, PeriodStart).Account
            .ApplySubscriptionSnapshot(TestAccounts.Snapshot(pastDueSince, SubscriptionStatus.PastDue), _catalog, TimeSpan.Zero).Account;
        var trial = EntitlementRules.Evaluate(onTrial, _catalog, pastDueSince.AddHours(1), TimeSpan.Zero);
        Assert.Equal((EntitlementSource.LocalTrial, "PRO"), (trial.Source, trial.UnpaidPlan?.Code.Value));

        // From the instant it ends or is cancelled, paying gives nothing back: no plan is unpaid.
        var ends = pastDueSince + Grace + TimeSpan.FromDays(1);
        Assert.Null(Evaluate(Subscribed(SubscriptionStatus.PastDue, asOf: pastDueSince, endedAt: ends), ends).UnpaidPlan);
        Assert.Null(Evaluate(Subscribed(SubscriptionStatus.PastDue, asOf: pastDueSince, cancelAt: ends), ends).UnpaidPlan);
        Assert.Equal("PRO", Evaluate(Subscribed(SubscriptionStatus.PastDue, asOf: pastDueSince, cancelAt: ends), ends.AddTicks(-1)).UnpaidPlan?.Code.Value);
    }

    [Fact]
    public void Usage_counts_on_the_free_plan_from_the_very_instant_paid_access_ends()
    {
        Assert.Equal(Midway, Evaluate(Subscribed(SubscriptionStatus.Active, endedAt: Midway), Midway).UsageStart);
        Assert.Equal(Midway, Evaluate(Subscribed(SubscriptionStatus.Active, cancelAt: Midway), Midway).UsageStart);
    }

    [Fact]
    public void A_delinquent_subscription_stored_without_its_failure_time_ends_its_grace_from_the_state_read()
    {
        var asOf = PeriodStart.AddDays(1);
        var account = Subscribed(SubscriptionStatus.PastDue, asOf: asOf);
        account = account with { Subscription = account.Subscription! with { PastDueSince = null } }; // stored before it was kept

        Assert.Equal((EntitlementSource.GracePeriod, (DateTimeOffset?)(asOf + Grace)), (Evaluate(account, asOf.AddDays(1)).Source, Evaluate(account, asOf.AddDays(1)).EndsAt));
        Assert.Equal(asOf + Grace, Evaluate(account, asOf + Grace + TimeSpan.FromDays(1)).UsageStart);
    }

    [Fact]
    public void A_subscription_canceled_at_once_after_a_scheduled_cancellation_counts_the_free_month_from_when_that_was_learned()
    {
        // canceled_at is when the scheduled cancellation was asked for (2 Nov), not when it was canceled at once (learned 20 Nov).
        var learned = Midway;
        var account = Subscribed(SubscriptionStatus.Canceled, asOf: learned, cancelAtPeriodEnd: true, canceledAt: PeriodStart.AddDays(-8));

        Assert.Equal(learned, Evaluate(account, learned.AddHours(1)).UsageStart);
    }

    [Fact]
    public void Add_ons_ending_and_granted_together_are_used_in_the_order_of_their_ids()
    {
        var runs = MeterName.Parse("agent_runs");
        MeterAddOn AddOn(string id) =>
            new() { GrantId = id, Code = "RUNS", Meter = runs, Units = 10, GrantedAt = PeriodStart.AddDays(1), ExpiresAt = PeriodStart.AddDays(20) };
        var account = Subscribed(SubscriptionStatus.Active) with { AddOns = [AddOn("cs:b"), AddOn("cs:a")] };

        Assert.Equal(["cs:a", "cs:b", MeterAllowance.PlanId], Evaluate(account, Midway).AllowancesOf(runs).Select(a => a.Id));
    }

    [Fact]
    public void The_counters_now_include_the_add_ons_in_force_on_top_of_the_plans_units()
    {
        var runs = MeterName.Parse("agent_runs");
        var account = Subscribed(SubscriptionStatus.Active) with
        {
            AddOns = [new MeterAddOn { GrantId = "cs:extra", Code = "RUNS", Meter = runs, Units = 200, GrantedAt = PeriodStart.AddDays(1), ExpiresAt = PeriodEnd.AddDays(40) }],
        };
        var entitlement = Evaluate(account, Midway);
        var recorded = new UsageCounters
        {
            AccountId = account.Id,
            Period = entitlement.Period,
            Counters = new Dictionary<MeterName, long> { [runs] = 500 },
            Plan = entitlement.Plan.Code,
            Included = new Dictionary<MeterName, long> { [runs] = 1_000 }, // counted before the add-on was bought
        };

        Assert.Equal(1_200, entitlement.CountersNow(recorded).Included[runs]); // PRO's 1,000 and the add-on's 200
    }

    [Fact]
    public void Negative_grace_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EntitlementRules.Evaluate(TestAccounts.New(), _catalog, Midway, TimeSpan.FromSeconds(-1)));
    }

    private Entitlement Evaluate(BillingAccount account, DateTimeOffset now) => account.EntitlementAt(_catalog, now, Grace);

    private BillingAccount Subscribed(
        SubscriptionStatus status,
        DateTimeOffset? asOf = null,
        bool cancelAtPeriodEnd = false,
        DateTimeOffset? cancelAt = null,
        DateTimeOffset? endedAt = null,
        string priceId = TestCatalog.ProMonthly,
        DateTimeOffset? canceledAt = null)
    {
        var snapshot = TestAccounts.Snapshot(asOf ?? PeriodStart, status, priceId: priceId) with
        {
            CancelAtPeriodEnd = cancelAtPeriodEnd,
            CancelAt = cancelAt,
            EndedAt = endedAt,
            CanceledAt = canceledAt,
        };
        var result = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero);
        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        return result.Account;
    }
}
