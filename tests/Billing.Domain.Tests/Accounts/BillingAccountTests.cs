using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;

namespace Billing.Domain.Tests.Accounts;

public sealed class BillingAccountTests
{
    private readonly PlanCatalog _catalog = TestCatalog.Create();

    [Fact]
    public void A_new_account_has_nothing_yet()
    {
        var account = TestAccounts.New();

        Assert.Equal(1, account.Version);
        Assert.Null(account.StripeCustomerId);
        Assert.Null(account.Subscription);
        Assert.True(account.IsTrialAvailable);
        Assert.False(account.HasLiveSubscription);
    }

    [Fact]
    public void Assigns_the_first_customer_and_never_overwrites_it()
    {
        var first = TestAccounts.New().AssignStripeCustomer("cus_A");
        Assert.Equal(StripeCustomerAssignmentOutcome.Assigned, first.Outcome);
        Assert.Equal("cus_A", first.Account.StripeCustomerId);

        var again = first.Account.AssignStripeCustomer("cus_A");
        Assert.Equal(StripeCustomerAssignmentOutcome.AlreadyAssigned, again.Outcome);
        Assert.Same(first.Account, again.Account);

        var other = first.Account.AssignStripeCustomer("cus_B");
        Assert.Equal(StripeCustomerAssignmentOutcome.KeptExisting, other.Outcome);
        Assert.Equal("cus_A", other.Account.StripeCustomerId);
        Assert.False(other.Changed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("cus 1")]
    [InlineData("cus/1")]
    public void Rejects_malformed_customer_ids(string customerId)
    {
        Assert.Throws<ArgumentException>(() => TestAccounts.New().AssignStripeCustomer(customerId));
    }

    [Fact]
    public void Starts_the_trial_plan_for_its_configured_days()
    {
        var now = new DateTimeOffset(2026, 11, 5, 12, 0, 0, 123, TimeSpan.Zero);

        var result = TestAccounts.New().StartLocalTrial(_catalog, now);

        Assert.Equal(LocalTrialStartOutcome.Started, result.Outcome);
        var trial = result.Account.LocalTrial!;
        Assert.Equal("TRIAL", trial.PlanCode.Value);
        Assert.Equal(new DateTimeOffset(2026, 11, 5, 12, 0, 0, TimeSpan.Zero), trial.StartedAt);
        Assert.Equal(trial.StartedAt.AddDays(TestCatalog.LocalTrialDays), trial.EndsAt);
        Assert.Equal(trial.StartedAt, result.Account.TrialUsedAt);
        Assert.False(result.Account.IsTrialAvailable);
    }

    [Fact]
    public void The_trial_is_granted_once_ever_even_after_it_ended()
    {
        var now = TestAccounts.Opened;
        var afterTrial = TestAccounts.New().StartLocalTrial(_catalog, now).Account;

        var second = afterTrial.StartLocalTrial(_catalog, now.AddDays(60));

        Assert.Equal(LocalTrialStartOutcome.AlreadyUsed, second.Outcome);
        Assert.Same(afterTrial, second.Account);
    }

    [Fact]
    public void A_checkout_trial_counts_as_the_trial_even_after_cancelling()
    {
        var withCheckoutTrial = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(
            TestAccounts.Snapshot(TestAccounts.Opened, SubscriptionStatus.Trialing) with { TrialStart = TestAccounts.PeriodStart, TrialEnd = TestAccounts.PeriodStart.AddDays(7) },
            _catalog, TimeSpan.Zero).Account;
        var canceled = withCheckoutTrial.ApplySubscriptionSnapshot(
            TestAccounts.Snapshot(TestAccounts.Opened.AddDays(3), SubscriptionStatus.Canceled) with { TrialStart = TestAccounts.PeriodStart, EndedAt = TestAccounts.Opened.AddDays(3) },
            _catalog, TimeSpan.Zero).Account;

        Assert.Equal(TestAccounts.PeriodStart, canceled.TrialUsedAt);
        Assert.Equal(LocalTrialStartOutcome.AlreadyUsed, canceled.StartLocalTrial(_catalog, TestAccounts.Opened.AddDays(4)).Outcome);
    }

    [Fact]
    public void No_trial_while_a_subscription_is_live()
    {
        var subscribed = TestAccounts.WithCustomer().ApplySubscriptionSnapshot(TestAccounts.Snapshot(TestAccounts.Opened), _catalog, TimeSpan.Zero).Account;

        Assert.Equal(LocalTrialStartOutcome.SubscriptionLive, subscribed.StartLocalTrial(_catalog, TestAccounts.Opened).Outcome);
    }

    [Fact]
    public void A_cancelled_paid_subscription_without_trial_still_allows_the_one_trial()
    {
        var canceled = TestAccounts.WithCustomer()
            .ApplySubscriptionSnapshot(TestAccounts.Snapshot(TestAccounts.Opened, SubscriptionStatus.Canceled) with { EndedAt = TestAccounts.Opened }, _catalog, TimeSpan.Zero)
            .Account;

        Assert.Equal(LocalTrialStartOutcome.Started, canceled.StartLocalTrial(_catalog, TestAccounts.Opened.AddDays(1)).Outcome);
    }

    [Fact]
    public void No_trial_when_the_catalog_offers_none()
    {
        var options = TestCatalog.Options();
        options.Plans.Remove(options.Plan("TRIAL"));

        var result = TestAccounts.New().StartLocalTrial(PlanCatalog.Create(options), TestAccounts.Opened);

        Assert.Equal(LocalTrialStartOutcome.TrialNotOffered, result.Outcome);
    }

    [Fact]
    public void An_early_reversal_is_forgotten_at_the_very_end_of_its_retention()
    {
        var t = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var account = BillingAccount.Open(AccountId.Parse("user-1"), t).NoteEarlyReversal("pi_old", t);

        var atTheEnd = account.NoteEarlyReversal("pi_new", t + BillingAccount.EarlyReversalRetention);
        var justBefore = account.NoteEarlyReversal("pi_new", t + BillingAccount.EarlyReversalRetention - TimeSpan.FromTicks(1));

        Assert.Equal(["pi_new"], atTheEnd.EarlyReversals.Select(r => r.PaymentIntentId));
        Assert.Equal(["pi_old", "pi_new"], justBefore.EarlyReversals.Select(r => r.PaymentIntentId));
    }

    [Fact]
    public void An_early_reversal_is_remembered_once_and_forgotten_after_its_retention()
    {
        var t = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var account = BillingAccount.Open(AccountId.Parse("user-1"), t).NoteEarlyReversal("pi_old", t);

        var again = account.NoteEarlyReversal("pi_old", t.AddDays(1));
        var later = account.NoteEarlyReversal("pi_new", t + BillingAccount.EarlyReversalRetention + TimeSpan.FromSeconds(1));

        Assert.Same(account, again);
        Assert.True(account.WasReversedEarly("pi_old"));
        Assert.False(account.WasReversedEarly(null));
        Assert.Equal(["pi_new"], later.EarlyReversals.Select(r => r.PaymentIntentId));
    }
}
