using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Accounts;

public sealed class BillingAccountLifecycleTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(7);
    private readonly PlanCatalog _catalog = TestCatalog.Create();

    [Fact]
    public void A_deleted_customer_is_forgotten_with_a_new_generation_and_never_taken_back()
    {
        var account = TestAccounts.WithCustomer("cus_1").RememberCheckout(Checkout("cs_1"));

        var forgotten = account.ForgetStripeCustomer("cus_1");

        Assert.Null(forgotten.StripeCustomerId);
        Assert.Equal(1, forgotten.CustomerGeneration);
        Assert.Equal(["cus_1"], forgotten.FormerStripeCustomerIds);
        Assert.Null(forgotten.OpenCheckout);
        Assert.Same(forgotten, forgotten.ForgetStripeCustomer("cus_1"));
        Assert.Equal(StripeCustomerAssignmentOutcome.FormerCustomer, forgotten.AssignStripeCustomer("cus_1").Outcome);
        Assert.Equal(SubscriptionSnapshotOutcome.CustomerMismatch, forgotten.ApplySubscriptionSnapshot(TestAccounts.Snapshot(TestAccounts.PeriodStart), _catalog, TimeSpan.Zero).Outcome);

        var next = forgotten.AssignStripeCustomer("cus_2");
        Assert.Equal(StripeCustomerAssignmentOutcome.Assigned, next.Outcome);
        Assert.Equal("cus_2", next.Account.StripeCustomerId);
    }

    [Fact]
    public void Forgetting_another_customer_keeps_the_current_one()
    {
        var account = TestAccounts.WithCustomer("cus_2").ForgetStripeCustomer("cus_1");

        Assert.Equal("cus_2", account.StripeCustomerId);
        Assert.Equal(0, account.CustomerGeneration);
        Assert.Equal(["cus_1"], account.FormerStripeCustomerIds);
    }

    [Fact]
    public void Renews_by_the_first_of_trial_end_period_end_and_cancellation_while_live()
    {
        var start = TestAccounts.PeriodStart;
        Assert.Null(TestAccounts.WithCustomer().RenewsBy);

        var active = Apply(TestAccounts.Snapshot(start));
        Assert.Equal(start.AddMonths(1), active.RenewsBy);

        var trialing = Apply(TestAccounts.Snapshot(start, SubscriptionStatus.Trialing) with { TrialEnd = start.AddDays(7) });
        Assert.Equal(start.AddDays(7), trialing.RenewsBy);

        var cancelling = Apply(TestAccounts.Snapshot(start) with { CancelAt = start.AddDays(3) });
        Assert.Equal(start.AddDays(3), cancelling.RenewsBy);

        var over = active.ApplySubscriptionSnapshot(TestAccounts.Snapshot(start.AddDays(1), SubscriptionStatus.Canceled) with { EndedAt = start.AddDays(1) }, _catalog, TimeSpan.Zero).Account;
        Assert.Null(over.RenewsBy);

        // Paused or incomplete: live in Stripe, but the free plan applies and the period does not move; nothing to sweep.
        Assert.Null(active.ApplySubscriptionSnapshot(TestAccounts.Snapshot(start.AddDays(1), SubscriptionStatus.Paused), _catalog, TimeSpan.Zero).Account.RenewsBy);
        Assert.Null(Apply(TestAccounts.Snapshot(start, SubscriptionStatus.Incomplete)).RenewsBy);
        Assert.Equal(start.AddMonths(1), active.ApplySubscriptionSnapshot(TestAccounts.Snapshot(start.AddDays(1), SubscriptionStatus.PastDue), _catalog, TimeSpan.Zero).Account.RenewsBy);
    }

    [Fact]
    public void An_active_subscription_renews_by_its_period_end_whatever_trial_it_had()
    {
        var start = TestAccounts.PeriodStart;

        var paidAfterTrial = Apply(TestAccounts.Snapshot(start) with { TrialStart = start.AddDays(-14), TrialEnd = start });

        Assert.Equal(start.AddMonths(1), paidAfterTrial.RenewsBy); // the ended trial is not a date Stripe still owes an event for
    }

    [Fact]
    public void A_failed_upgrade_keeps_the_plan_last_paid_for_during_the_grace_period()
    {
        var start = TestAccounts.PeriodStart;
        var basic = Apply(TestAccounts.Snapshot(start, priceId: TestCatalog.BasicMonthly));
        Assert.Equal("BASIC", basic.LastPaidPlan?.Value);

        var upgradeUnpaid = basic.ApplySubscriptionSnapshot(TestAccounts.Snapshot(start.AddDays(1), SubscriptionStatus.PastDue, priceId: TestCatalog.ProMonthly), _catalog, TimeSpan.Zero).Account;

        Assert.Equal("BASIC", upgradeUnpaid.LastPaidPlan?.Value);
        var during = upgradeUnpaid.EntitlementAt(_catalog, start.AddDays(2), Grace);
        Assert.Equal("BASIC", during.Plan.Code.Value);
        Assert.Equal("FREE", upgradeUnpaid.EntitlementAt(_catalog, start.AddDays(9), Grace).Plan.Code.Value);

        var paid = upgradeUnpaid.ApplySubscriptionSnapshot(TestAccounts.Snapshot(start.AddDays(3), priceId: TestCatalog.ProMonthly), _catalog, TimeSpan.Zero).Account;
        Assert.Equal("PRO", paid.LastPaidPlan?.Value);
        Assert.Equal("PRO", paid.EntitlementAt(_catalog, start.AddDays(4), Grace).Plan.Code.Value);
    }

    [Fact]
    public void A_scheduled_downgrade_whose_renewal_fails_gets_the_lower_plan_it_now_subscribes_to_during_the_grace_period()
    {
        var start = TestAccounts.PeriodStart;
        var pro = Apply(TestAccounts.Snapshot(start, priceId: TestCatalog.ProMonthly));
        Assert.Equal("PRO", pro.LastPaidPlan?.Value);

        // The portal scheduled BASIC for the renewal; the renewal's payment fails.
        var renewal = start.AddMonths(1);
        var downgradeUnpaid = pro.ApplySubscriptionSnapshot(TestAccounts.Snapshot(renewal, SubscriptionStatus.PastDue, priceId: TestCatalog.BasicMonthly, periodStart: renewal), _catalog, TimeSpan.Zero).Account;

        Assert.Equal("PRO", downgradeUnpaid.LastPaidPlan?.Value);
        Assert.Equal("BASIC", downgradeUnpaid.EntitlementAt(_catalog, renewal.AddDays(1), Grace).Plan.Code.Value); // not the PRO paid for last month
        Assert.Equal("FREE", downgradeUnpaid.EntitlementAt(_catalog, renewal.AddDays(8), Grace).Plan.Code.Value);
    }

    [Fact]
    public void A_new_subscription_in_grace_never_gets_the_plan_an_earlier_subscription_was_paid_for()
    {
        var start = TestAccounts.PeriodStart;
        var pro = Apply(TestAccounts.Snapshot(start));
        var over = pro.ApplySubscriptionSnapshot(TestAccounts.Snapshot(start.AddDays(40), SubscriptionStatus.Canceled) with { EndedAt = start.AddDays(40) }, _catalog, TimeSpan.Zero).Account;
        var next = start.AddDays(50);
        var trial = over.ApplySubscriptionSnapshot(TestAccounts.Snapshot(next, SubscriptionStatus.Trialing, subscriptionId: "sub_2", priceId: TestCatalog.BasicMonthly, periodStart: next), _catalog, TimeSpan.Zero).Account;
        var pastDue = trial.ApplySubscriptionSnapshot(TestAccounts.Snapshot(next.AddDays(14), SubscriptionStatus.PastDue, subscriptionId: "sub_2", priceId: TestCatalog.BasicMonthly, periodStart: next.AddDays(14)), _catalog, TimeSpan.Zero).Account;

        Assert.Equal("PRO", over.LastPaidPlan?.Value);
        Assert.Null(trial.LastPaidPlan);
        Assert.Equal("BASIC", pastDue.EntitlementAt(_catalog, next.AddDays(15), Grace).Plan.Code.Value);
    }

    [Fact]
    public void A_past_due_subscription_that_was_never_paid_keeps_its_own_plan_for_the_grace_period()
    {
        var start = TestAccounts.PeriodStart;
        var account = Apply(TestAccounts.Snapshot(start, SubscriptionStatus.PastDue));

        Assert.Null(account.LastPaidPlan);
        Assert.Equal("PRO", account.EntitlementAt(_catalog, start.AddDays(1), Grace).Plan.Code.Value);
    }

    [Fact]
    public void A_subscription_on_a_price_the_catalog_no_longer_names_keeps_its_plan_only_until_Stripe_next_reports_it()
    {
        // PRO's monthly price replaced in the catalog (a price rise: the old price archived in Stripe, its successor's id
        // put in the catalog) while a subscriber stays on the old price, as Stripe keeps them. docs/api.md (GET
        // /api/billing/plans) and docs/stripe.md warn of this: move such subscriptions to the new price in Stripe.
        var start = TestAccounts.PeriodStart;
        var subscribed = Apply(TestAccounts.Snapshot(start));
        var options = TestCatalog.Options();
        options.Plan("PRO").Prices.Month = "price_pro_month_v2";
        var repriced = PlanCatalog.Create(options);

        Assert.Equal("PRO", subscribed.EntitlementAt(repriced, start.AddDays(20), Grace).Plan.Code.Value); // the plan stored with its last state

        var renewal = start.AddMonths(1);
        var renewed = subscribed.ApplySubscriptionSnapshot(TestAccounts.Snapshot(renewal, periodStart: renewal), repriced, TimeSpan.Zero).Account;

        Assert.Null(renewed.Subscription!.PlanCode);
        Assert.Equal("FREE", renewed.EntitlementAt(repriced, renewal.AddHours(1), Grace).Plan.Code.Value); // paid for PRO, on the free plan
    }

    [Fact]
    public void The_open_checkout_is_cleared_only_by_its_own_session()
    {
        var account = TestAccounts.WithCustomer().RememberCheckout(Checkout("cs_1"));

        Assert.Same(account, account.ClearCheckout("cs_other"));
        Assert.Null(account.ClearCheckout("cs_1").OpenCheckout);
        Assert.True(account.OpenCheckout!.IsOpenAt(TestAccounts.PeriodStart));
        Assert.False(account.OpenCheckout.IsOpenAt(TestAccounts.PeriodStart.AddDays(1)));
    }

    [Fact]
    public void A_resolved_duplicate_is_recorded_once()
    {
        var resolution = new DuplicateSubscriptionResolution
        {
            SubscriptionId = "sub_2",
            KeptSubscriptionId = "sub_1",
            Refunded = new Money(1_900, Currency.Parse("usd")),
            ResolvedAt = TestAccounts.PeriodStart,
        };

        var account = TestAccounts.WithCustomer().RecordDuplicateResolved(resolution);

        Assert.Same(account, account.RecordDuplicateResolved(resolution with { ResolvedAt = resolution.ResolvedAt.AddHours(1) }));
        Assert.Equal(resolution, Assert.Single(account.DuplicateSubscriptions));
    }

    [Fact]
    public void Having_paid_once_is_never_forgotten_whatever_state_follows()
    {
        var start = TestAccounts.PeriodStart;
        var paid = Apply(TestAccounts.Snapshot(start));

        var pastDue = paid.ApplySubscriptionSnapshot(TestAccounts.Snapshot(start.AddMonths(1), SubscriptionStatus.PastDue, periodStart: start.AddMonths(1)), _catalog, TimeSpan.Zero).Account;
        var canceled = pastDue.ApplySubscriptionSnapshot(TestAccounts.Snapshot(start.AddMonths(1).AddDays(9), SubscriptionStatus.Canceled, periodStart: start.AddMonths(1)), _catalog, TimeSpan.Zero).Account;

        Assert.Equal((true, true, true), (paid.EverPaid, pastDue.EverPaid, canceled.EverPaid));
    }

    private BillingAccount Apply(SubscriptionSnapshot snapshot)
    {
        var result = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(snapshot, _catalog, TimeSpan.Zero);
        Assert.True(result.Changed, result.Outcome.ToString());
        return result.Account;
    }

    private static OpenCheckout Checkout(string sessionId) => new()
    {
        SessionId = sessionId,
        Url = new Uri("https://checkout.stripe.test/" + sessionId),
        PlanCode = PlanCode.Parse("PRO"),
        Interval = BillingInterval.Month,
        PriceId = TestCatalog.ProMonthly,
        ExpiresAt = TestAccounts.PeriodStart.AddHours(23),
    };
}
