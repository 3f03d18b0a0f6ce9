using Billing.Application.Subscriptions;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;

namespace Billing.Application.Tests.StripeEvents;

/// <summary>Re-sync: the remedy for events that never arrived.</summary>
public sealed class AccountStripeResyncTests
{
    private readonly WebhookWorld _world = new();

    [Fact]
    public async Task Recovers_a_missed_checkout_from_the_customers_account_metadata()
    {
        var (accountId, customer, subscription) = await MissedCheckoutAsync("user-9");
        _world.Stripe.Renew(subscription); // no event delivered at all

        var result = await _world.Resync.ResyncAsync(accountId, CancellationToken.None);

        Assert.Equal(AccountResyncOutcome.Synced, result.Outcome);
        Assert.Equal(customer, result.CustomerId);
        Assert.Equal(customer, result.Account!.StripeCustomerId);
        Assert.Equal(subscription.Id, result.Account.Subscription!.SubscriptionId);
        Assert.Equal(subscription.PeriodStart, result.Account.Subscription.CurrentPeriodStart);
        Assert.Equal(accountId, _world.Links.All[customer]);
    }

    [Fact]
    public async Task Recovers_a_missed_checkout_whose_subscription_has_ended_since()
    {
        var (accountId, customer, subscription) = await MissedCheckoutAsync("user-17");
        _world.Stripe.CancelNow(subscription); // no event delivered at all

        var result = await _world.Resync.ResyncAsync(accountId, CancellationToken.None);

        Assert.Equal([new SubscriptionResyncStep(subscription.Id, SubscriptionSyncOutcome.Applied)], result.Steps);
        Assert.Equal((subscription.Id, SubscriptionStatus.Canceled), (result.Account!.Subscription!.SubscriptionId, result.Account.Subscription.Status));
    }

    [Fact]
    public async Task Brings_a_stale_subscription_up_to_date_and_prefers_a_live_replacement()
    {
        var customer = _world.Stripe.CreateCustomer("user-10");
        var first = _world.Stripe.CompleteCheckout("user-10", customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        _world.Stripe.CancelNow(first);
        var second = _world.Stripe.CompleteCheckout("user-10", customer, TestCatalog.BasicMonthly);

        var result = await _world.Resync.ResyncAsync(AccountId.Parse("user-10"), CancellationToken.None);

        Assert.Equal(second.Id, result.Account!.Subscription!.SubscriptionId);
        Assert.Equal(SubscriptionStatus.Active, result.Account.Subscription.Status);
        Assert.Contains(result.Steps, s => s.SubscriptionId == first.Id && s.Outcome == SubscriptionSyncOutcome.Applied);
    }

    [Theory]
    [InlineData(false)] // paused: live, newer period, but grants nothing
    [InlineData(true)] // its cancellation's date has passed, Stripe has not ended it yet
    public async Task Prefers_an_older_subscription_that_grants_access_over_a_newer_live_one_that_does_not(bool pastScheduledCancellation)
    {
        var (accountId, paying, newer) = await OlderAndNewerSubscriptionAsync(pastScheduledCancellation ? "user-15" : "user-11");
        if (pastScheduledCancellation)
        {
            newer.CancelAt = _world.Time.GetUtcNow().AddHours(1);
            _world.Time.Advance(TimeSpan.FromHours(2));
        }
        else
        {
            newer.Status = SubscriptionStatus.Paused;
        }

        var result = await _world.Resync.ResyncAsync(accountId, CancellationToken.None); // no event delivered at all

        Assert.Equal(paying.Id, result.Account!.Subscription!.SubscriptionId);
        Assert.Equal("PRO", _world.Entitlements.Evaluate(result.Account, _world.Time.GetUtcNow()).Plan.Code.Value);
    }

    [Fact]
    public async Task Prefers_an_older_live_subscription_without_access_over_a_newer_one_that_is_over()
    {
        var (accountId, paused, ended) = await OlderAndNewerSubscriptionAsync("user-16");
        paused.Status = SubscriptionStatus.Paused;
        _world.Stripe.CancelNow(ended); // no event delivered at all

        var result = await _world.Resync.ResyncAsync(accountId, CancellationToken.None);

        Assert.Equal((paused.Id, SubscriptionStatus.Paused), (result.Account!.Subscription!.SubscriptionId, result.Account.Subscription.Status));
    }

    [Fact]
    public async Task Applies_the_current_subscription_once_when_the_customer_has_no_other()
    {
        var customer = _world.Stripe.CreateCustomer("user-18");
        var subscription = _world.Stripe.CompleteCheckout("user-18", customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        _world.Stripe.Renew(subscription); // its events never arrive

        var result = await _world.Resync.ResyncAsync(AccountId.Parse("user-18"), CancellationToken.None);

        Assert.Equal([new SubscriptionResyncStep(subscription.Id, SubscriptionSyncOutcome.Applied)], result.Steps);
        Assert.Equal(subscription.PeriodStart, result.Account!.Subscription!.CurrentPeriodStart);
    }

    [Fact]
    public async Task Ends_a_current_subscription_stripe_no_longer_has_as_a_deletion_and_reports_it_as_a_step_once()
    {
        var customer = _world.Stripe.CreateCustomer("user-12");
        var subscription = _world.Stripe.CompleteCheckout("user-12", customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        _world.Stripe.Forget(subscription); // test data deleted: the customer is still there, the subscription is not

        var result = await _world.Resync.ResyncAsync(AccountId.Parse("user-12"), CancellationToken.None);
        var writes = _world.Accounts.Writes;
        var again = await _world.Resync.ResyncAsync(AccountId.Parse("user-12"), CancellationToken.None);

        Assert.Equal([new SubscriptionResyncStep(subscription.Id, SubscriptionSyncOutcome.EndedNotFoundInStripe)], result.Steps);
        Assert.Equal((subscription.Id, SubscriptionStatus.Canceled), (result.Account!.Subscription!.SubscriptionId, result.Account.Subscription.Status));
        Assert.Equal("FREE", _world.Entitlements.Evaluate(result.Account, _world.Time.GetUtcNow()).Plan.Code.Value);
        Assert.Equal([new SubscriptionResyncStep(subscription.Id, SubscriptionSyncOutcome.NotFoundInStripe)], again.Steps);
        Assert.Equal(writes, _world.Accounts.Writes);
    }

    [Fact]
    public async Task Keeps_a_current_subscription_when_stripe_knows_neither_it_nor_its_customer_and_reports_that_step()
    {
        var customer = _world.Stripe.CreateCustomer("user-14");
        var subscription = _world.Stripe.CompleteCheckout("user-14", customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        _world.Stripe.KeyOfAnotherAccount = true; // a key of another Stripe account, or a test key reading live ids
        var writes = _world.Accounts.Writes;

        var result = await _world.Resync.ResyncAsync(AccountId.Parse("user-14"), CancellationToken.None);

        Assert.Equal(AccountResyncOutcome.Synced, result.Outcome);
        Assert.Equal([new SubscriptionResyncStep(subscription.Id, SubscriptionSyncOutcome.CustomerUnknownInStripe)], result.Steps);
        Assert.Equal((subscription.Id, SubscriptionStatus.Active), (result.Account!.Subscription!.SubscriptionId, result.Account.Subscription.Status));
        Assert.Equal("PRO", _world.Entitlements.Evaluate(result.Account, _world.Time.GetUtcNow()).Plan.Code.Value);
        Assert.Equal(writes, _world.Accounts.Writes);
    }

    [Fact]
    public async Task Replaces_a_current_subscription_stripe_no_longer_has_with_the_customers_live_one()
    {
        var customer = _world.Stripe.CreateCustomer("user-13");
        var gone = _world.Stripe.CompleteCheckout("user-13", customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        _world.Stripe.Forget(gone);
        var live = _world.Stripe.CompleteCheckout("user-13", customer, TestCatalog.BasicMonthly); // its events never arrive

        var result = await _world.Resync.ResyncAsync(AccountId.Parse("user-13"), CancellationToken.None);

        Assert.Equal(
            [new SubscriptionResyncStep(gone.Id, SubscriptionSyncOutcome.EndedNotFoundInStripe), new SubscriptionResyncStep(live.Id, SubscriptionSyncOutcome.Applied)],
            result.Steps);
        Assert.Equal((live.Id, SubscriptionStatus.Active), (result.Account!.Subscription!.SubscriptionId, result.Account.Subscription.Status));
    }

    [Fact]
    public async Task Never_takes_back_a_deleted_customer_that_stripes_lagging_search_still_finds()
    {
        var customer = _world.Stripe.CreateCustomer("user-19");
        _world.Stripe.CompleteCheckout("user-19", customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        _world.Stripe.DeleteCustomer(customer);
        _world.Stripe.SearchLags = true; // the customer.deleted handler re-syncs at once, before the search knows
        await _world.DeliverNewEventsAsync();

        var result = await _world.Resync.ResyncAsync(AccountId.Parse("user-19"), CancellationToken.None);

        Assert.Equal((AccountResyncOutcome.NoStripeCustomer, null), (result.Outcome, result.CustomerId));
        Assert.Null(result.Account!.StripeCustomerId);
        Assert.Equal([customer], result.Account.FormerStripeCustomerIds);
    }

    [Fact]
    public async Task Reports_a_missing_account_and_an_account_without_customer()
    {
        var missing = await _world.Resync.ResyncAsync(AccountId.Parse("nobody"), CancellationToken.None);
        await _world.Accounts.GetOrCreateAsync(AccountId.Parse("fresh"), CancellationToken.None);
        var fresh = await _world.Resync.ResyncAsync(AccountId.Parse("fresh"), CancellationToken.None);

        Assert.Equal(AccountResyncOutcome.AccountNotFound, missing.Outcome);
        Assert.Equal(AccountResyncOutcome.NoStripeCustomer, fresh.Outcome);
        Assert.Null(fresh.Account!.Subscription);
    }

    [Fact]
    public async Task Refuses_a_customer_linked_to_another_account()
    {
        var customer = _world.Stripe.CreateCustomer("user-11");
        await _world.Links.LinkAsync(customer, AccountId.Parse("someone-else"), CancellationToken.None);
        await _world.Accounts.GetOrCreateAsync(AccountId.Parse("user-11"), CancellationToken.None);

        var result = await _world.Resync.ResyncAsync(AccountId.Parse("user-11"), CancellationToken.None);

        Assert.Equal(AccountResyncOutcome.CustomerLinkedToOtherAccount, result.Outcome);
        Assert.Null(result.Account!.StripeCustomerId);
    }

    /// <summary>The account (stored) and its customer's PRO subscription, the checkout's events never delivered.</summary>
    private async Task<(AccountId AccountId, string CustomerId, FakeStripeSubscription Subscription)> MissedCheckoutAsync(string account)
    {
        var accountId = AccountId.Parse(account);
        await _world.Accounts.GetOrCreateAsync(accountId, CancellationToken.None);
        var customer = _world.Stripe.CreateCustomer(account);
        return (accountId, customer, _world.Stripe.CompleteCheckout(account, customer, TestCatalog.ProMonthly));
    }

    /// <summary>A missed PRO checkout (<see cref="MissedCheckoutAsync"/>) and, a day later, a missed BASIC one of the same customer.</summary>
    private async Task<(AccountId AccountId, FakeStripeSubscription Older, FakeStripeSubscription Newer)> OlderAndNewerSubscriptionAsync(string account)
    {
        var (accountId, customer, older) = await MissedCheckoutAsync(account);
        _world.Time.Advance(TimeSpan.FromDays(1));
        return (accountId, older, _world.Stripe.CompleteCheckout(account, customer, TestCatalog.BasicMonthly));
    }
}
