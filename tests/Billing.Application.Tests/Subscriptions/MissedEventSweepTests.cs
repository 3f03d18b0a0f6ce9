using Billing.Application.Accounts;
using Billing.Application.Subscriptions;
using Billing.Application.Tests.Fakes;
using Billing.Application.Tests.StripeEvents;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Billing.TestSupport;

namespace Billing.Application.Tests.Subscriptions;

public sealed class MissedEventSweepTests
{
    private readonly WebhookWorld _world = new();
    private readonly MissedEventSweepOptions _options = new() { Grace = TimeSpan.FromHours(2), BatchSize = 10 };

    private readonly MissedEventSweepPosition _position = new();

    private MissedEventSweep Sweep => new(_world.Accounts, _world.Accounts, _world.Sync, _position, Options.Create(_options), _world.Time, NullLogger<MissedEventSweep>.Instance);

    [Fact]
    public async Task An_account_whose_renewal_and_cancellation_events_were_lost_is_corrected_from_stripe_once()
    {
        var customer = _world.Stripe.CreateCustomer("user-1");
        var subscription = _world.Stripe.CompleteCheckout("user-1", customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        _world.Stripe.Renew(subscription, FakeStripe.Payment.Fails);
        _world.Stripe.CancelNow(subscription); // none of these events arrives
        Assert.Equal(SubscriptionStatus.Active, _world.Account("user-1").Subscription!.Status);

        _world.Time.Advance(TimeSpan.FromHours(1));
        var early = await Sweep.RunAsync(CancellationToken.None); // inside the grace: Stripe's events may still come
        _world.Time.Advance(TimeSpan.FromHours(2));
        var late = await Sweep.RunAsync(CancellationToken.None);
        var again = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(0, 0, 0, 0, MoreDue: false), early);
        Assert.Equal(new MissedEventSweepSummary(1, 1, 0, 0, MoreDue: false), late);
        Assert.Equal(new MissedEventSweepSummary(0, 0, 0, 0, MoreDue: false), again);
        var account = _world.Account("user-1");
        Assert.Equal(SubscriptionStatus.Canceled, account.Subscription!.Status);
        Assert.Null(account.RenewsBy);
        Assert.Equal("FREE", _world.Entitlements.Evaluate(account, _world.Time.GetUtcNow()).Plan.Code.Value);
    }

    [Fact]
    public async Task An_account_stripe_still_has_overdue_is_reported_each_run_not_counted_as_corrected()
    {
        var customer = _world.Stripe.CreateCustomer("user-1");
        var subscription = _world.Stripe.CompleteCheckout("user-1", customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        _world.Time.SetUtcNow(subscription.PeriodEnd + TimeSpan.FromHours(3)); // Stripe has not renewed it either

        var first = await Sweep.RunAsync(CancellationToken.None);
        var second = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 0, 1, 0, MoreDue: false), first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_renewal_missed_is_applied_and_the_batch_is_bounded()
    {
        _options.BatchSize = 1;
        var subscriptions = new List<FakeStripeSubscription>();
        foreach (var account in new[] { "user-1", "user-2" })
        {
            var customer = _world.Stripe.CreateCustomer(account);
            subscriptions.Add(_world.Stripe.CompleteCheckout(account, customer, TestCatalog.ProMonthly));
        }

        await _world.DeliverNewEventsAsync();
        foreach (var subscription in subscriptions)
        {
            _world.Stripe.Renew(subscription);
        }

        _world.Time.Advance(TimeSpan.FromHours(3));
        var first = await Sweep.RunAsync(CancellationToken.None);
        var second = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 1, 0, 0, MoreDue: true), first);
        Assert.Equal(new MissedEventSweepSummary(1, 1, 0, 0, MoreDue: true), second);
        Assert.All(subscriptions, s => Assert.Equal(s.PeriodStart, _world.Account(s.AccountId!).Subscription!.CurrentPeriodStart));
    }

    [Fact]
    public async Task Accounts_that_stay_overdue_cannot_hide_an_older_one_runs_go_on_below_them_and_start_again_at_the_top()
    {
        _options.BatchSize = 2;
        var subscriptions = new List<FakeStripeSubscription>();
        foreach (var account in new[] { "user-old", "user-b", "user-c" }) // renewsBy one day apart, oldest first
        {
            subscriptions.Add(_world.Stripe.CompleteCheckout(account, _world.Stripe.CreateCustomer(account), TestCatalog.ProMonthly));
            await _world.DeliverNewEventsAsync();
            _world.Time.Advance(TimeSpan.FromDays(1));
        }

        _world.Stripe.CancelNow(subscriptions[0]); // its event is lost; user-b and user-c Stripe leaves overdue for good
        _world.Time.SetUtcNow(subscriptions[2].PeriodEnd + TimeSpan.FromHours(3));

        var first = await Sweep.RunAsync(CancellationToken.None); // the two most recent: nothing changes for them
        var second = await Sweep.RunAsync(CancellationToken.None); // goes on below them: user-b again (its renewsBy is the boundary) and user-old
        var third = await Sweep.RunAsync(CancellationToken.None); // the top again

        Assert.Equal(new MissedEventSweepSummary(2, 0, 2, 0, MoreDue: true), first);
        Assert.Equal(new MissedEventSweepSummary(2, 1, 1, 0, MoreDue: true), second);
        Assert.Equal(new MissedEventSweepSummary(0, 0, 0, 0, MoreDue: false), third); // below user-old: nothing, so the next lap starts at the top
        Assert.Equal(SubscriptionStatus.Canceled, _world.Account("user-old").Subscription!.Status);
        Assert.Equal(new MissedEventSweepSummary(2, 0, 2, 0, MoreDue: true), await Sweep.RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_account_that_cannot_be_read_is_counted_as_failed_and_the_others_are_still_corrected()
    {
        var subscriptions = new List<FakeStripeSubscription>();
        foreach (var account in new[] { "user-1", "user-2" })
        {
            var customer = _world.Stripe.CreateCustomer(account);
            subscriptions.Add(_world.Stripe.CompleteCheckout(account, customer, TestCatalog.ProMonthly));
        }

        await _world.DeliverNewEventsAsync();
        subscriptions.ForEach(s => _world.Stripe.Renew(s));
        _world.Time.Advance(TimeSpan.FromHours(3));
        var unreadable = new UnreadableAccount(_world.Accounts, AccountId.Parse("user-1"));
        var sweep = new MissedEventSweep(_world.Accounts, unreadable, _world.Sync, _position, Options.Create(_options), _world.Time, NullLogger<MissedEventSweep>.Instance);

        var summary = await sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(2, 1, 0, 1, MoreDue: false), summary);
        Assert.Equal(subscriptions[1].PeriodStart, _world.Account("user-2").Subscription!.CurrentPeriodStart);
        Assert.NotEqual(subscriptions[0].PeriodStart, _world.Account("user-1").Subscription!.CurrentPeriodStart);
    }

    /// <summary>An account store whose document for one account cannot be read (written by a newer schema, say).</summary>
    private sealed class UnreadableAccount(IBillingAccountStore inner, AccountId unreadable) : IBillingAccountStore
    {
        public Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken) =>
            accountId == unreadable ? throw new InvalidDataException("Stored account document is not valid.") : inner.GetAsync(accountId, cancellationToken);

        public Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken) => inner.GetOrCreateAsync(accountId, cancellationToken);

        public Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken) =>
            inner.UpdateAsync(accountId, change, cancellationToken);
    }
}
