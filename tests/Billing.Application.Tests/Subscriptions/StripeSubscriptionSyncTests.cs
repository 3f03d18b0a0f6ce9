using Billing.Application.Subscriptions;
using Billing.Application.Tests.Fakes;
using Billing.Application.Tests.StripeEvents;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Billing.Application.Tests.Subscriptions;

/// <summary>
/// Two Functions instances whose clocks differ, each dating its reads on its own clock: instance B is the world's sync
/// (the right time), instance A's clock runs <see cref="Ahead"/> fast, within the configured clock skew.
/// </summary>
public sealed class StripeSubscriptionSyncTests
{
    private const string Account = "user-skew";
    private static readonly TimeSpan Ahead = TimeSpan.FromSeconds(3);
    private readonly WebhookWorld _world = new();

    private FakeStripe Stripe => _world.Stripe;

    private static AccountId AccountId => AccountId.Parse(Account);

    [Fact]
    public async Task An_older_read_dated_later_by_a_fast_clock_does_not_undo_a_cancellation_read_after_it()
    {
        var (subscription, clockA, readByA) = await CancellationStoredByBAfterAReadAsync();
        clockA.SetUtcNow(_world.Time.GetUtcNow() + Ahead);
        Assert.True(readByA.AsOf > _world.Account(Account).Subscription!.StripeStateAsOf, "A's older read is dated after B's");
        var reads = Stripe.Reads;

        var result = await _world.InstanceSync(Stripe.ReadBy(clockA), clockA).ApplyAsync(AccountId, readByA, CancellationToken.None); // A's write arrives last

        var stored = _world.Account(Account).Subscription!;
        Assert.True(stored.CancelAtPeriodEnd, "the scheduled cancellation shows as undone");
        Assert.Equal(subscription.CancelAt, stored.CancelAt);
        Assert.Equal(SubscriptionSyncOutcome.AlreadyCurrent, result.Outcome);
        Assert.Equal(reads + 1, Stripe.Reads); // A read the subscription once more, and that read matched B's
    }

    [Fact]
    public async Task Applying_a_subscription_reads_the_account_to_open_it_and_to_update_it_and_no_more()
    {
        var subscription = await SubscribedAsync();
        Stripe.SetCancelAtPeriodEnd(subscription, cancel: true);
        _world.Time.Advance(TimeSpan.FromSeconds(1));
        var reads = _world.Accounts.Reads;

        var result = await _world.Sync.SyncAsync(AccountId, subscription.Id, CancellationToken.None);
        var readsOfTheSync = _world.Accounts.Reads - reads;

        Assert.Equal(SubscriptionSyncOutcome.Applied, result.Outcome);
        Assert.True(_world.Account(Account).Subscription!.CancelAtPeriodEnd);
        Assert.Equal(2, readsOfTheSync); // the applier decides the period's early end on the account the open read
    }

    [Fact]
    public async Task The_read_again_after_such_a_conflict_is_applied_though_dated_within_the_clock_skew_of_the_stored_state()
    {
        var (subscription, clockA, readByA) = await CancellationStoredByBAfterAReadAsync();
        Stripe.ChangePrice(subscription, TestCatalog.BasicMonthly); // T+3: and a downgrade, not stored yet
        clockA.SetUtcNow(_world.Time.GetUtcNow() + Ahead);

        var result = await _world.InstanceSync(Stripe.ReadBy(clockA), clockA).ApplyAsync(AccountId, readByA, CancellationToken.None); // A reads again at T+3, dated T+6

        var stored = _world.Account(Account).Subscription!;
        Assert.Equal(SubscriptionSyncOutcome.Applied, result.Outcome);
        Assert.Equal((true, TestCatalog.BasicMonthly), (stored.CancelAtPeriodEnd, stored.PriceId));
    }

    [Fact]
    public async Task A_subscription_changing_at_every_read_is_read_again_a_bounded_number_of_times_and_never_set_back()
    {
        var subscription = await SubscribedAsync();
        var clockA = new FakeTimeProvider(_world.Time.GetUtcNow() + Ahead);

        // After every read by A, the customer flips the cancellation and instance B stores that before A's read is applied.
        var readsByA = new ChangedAfterEveryRead(Stripe.ReadBy(clockA), async () =>
        {
            Stripe.SetCancelAtPeriodEnd(subscription, !subscription.CancelAtPeriodEnd);
            await _world.Sync.SyncAsync(AccountId, subscription.Id, CancellationToken.None);
            clockA.SetUtcNow(_world.Time.GetUtcNow() + Ahead);
        });
        var instanceA = _world.InstanceSync(readsByA, clockA);
        var readByA = (await readsByA.GetSubscriptionAsync(subscription.Id, CancellationToken.None))!;

        await Assert.ThrowsAsync<InvalidOperationException>(() => instanceA.ApplyAsync(AccountId, readByA, CancellationToken.None));

        Assert.Equal(1 + 3, readsByA.Reads);
        Assert.Equal(subscription.CancelAtPeriodEnd, _world.Account(Account).Subscription!.CancelAtPeriodEnd);
    }

    [Fact]
    public async Task A_subscription_stripe_answers_again_when_read_once_more_is_applied_not_reported_as_ended()
    {
        var subscription = await SubscribedAsync();
        Stripe.Forget(subscription);
        var flaky = new ChangedAfterEveryRead(Stripe, () =>
        {
            Stripe.Restore(subscription); // "no such subscription" once, then found again, its cancellation scheduled meanwhile
            Stripe.SetCancelAtPeriodEnd(subscription, cancel: true);
            return Task.CompletedTask;
        });

        var result = await _world.InstanceSync(flaky, _world.Time).SyncAsync(AccountId, subscription.Id, CancellationToken.None);

        Assert.Equal(SubscriptionSyncOutcome.Applied, result.Outcome);
        var stored = _world.Account(Account).Subscription!;
        Assert.Equal((SubscriptionStatus.Active, true), (stored.Status, stored.CancelAtPeriodEnd));
    }

    [Fact]
    public async Task No_such_subscription_for_an_id_that_is_not_the_live_one_leaves_the_live_one_as_it_is()
    {
        var subscription = await SubscribedAsync();

        var result = await _world.Sync.SyncAsync(AccountId, "sub_not_the_accounts", CancellationToken.None);

        Assert.Equal(SubscriptionSyncOutcome.NotFoundInStripe, result.Outcome);
        var stored = _world.Account(Account).Subscription!;
        Assert.Equal((subscription.Id, true), (stored.SubscriptionId, stored.IsLive));
    }

    [Fact]
    public async Task A_duplicate_the_account_reflects_is_replaced_at_once_by_the_older_subscription_that_is_kept()
    {
        var customer = Stripe.CreateCustomer(Account);
        var older = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        _world.Time.Advance(TimeSpan.FromMinutes(1));
        var newer = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        _world.Time.Advance(TimeSpan.FromMinutes(1));
        await _world.Sync.SyncAsync(AccountId, newer.Id, CancellationToken.None); // the account reflects the newer one
        var before = _world.Time.GetUtcNow();

        var result = await _world.Sync.SyncAsync(AccountId, older.Id, CancellationToken.None);

        Assert.Equal(SubscriptionSyncOutcome.DuplicateResolved, result.Outcome);
        Assert.True(Stripe.Refunds.ContainsKey(newer.Id), "the newer one is refunded");
        var stored = _world.Account(Account).Subscription!;
        Assert.Equal((older.Id, true), (stored.SubscriptionId, stored.IsLive));
        Assert.Equal(older.Id, result.Account!.Subscription!.SubscriptionId);
        var recorded = Assert.Single(_world.Account(Account).DuplicateSubscriptions);
        Assert.Equal((newer.Id, older.Id, FakeStripe.InvoiceAmount), (recorded.SubscriptionId, recorded.KeptSubscriptionId, recorded.Refunded));
        Assert.InRange(recorded.ResolvedAt, before, _world.Time.GetUtcNow());
    }

    [Fact]
    public async Task A_second_duplicate_of_the_same_kept_subscription_is_refunded_and_canceled_under_keys_of_its_own()
    {
        var kept = await SubscribedAsync();
        var duplicates = new[] { Stripe.CompleteCheckout(Account, kept.CustomerId, TestCatalog.ProMonthly), Stripe.CompleteCheckout(Account, kept.CustomerId, TestCatalog.ProMonthly) };

        foreach (var duplicate in duplicates)
        {
            _world.Time.Advance(TimeSpan.FromMinutes(1));
            var result = await _world.Sync.SyncAsync(AccountId, duplicate.Id, CancellationToken.None);
            Assert.Equal(SubscriptionSyncOutcome.DuplicateResolved, result.Outcome);
        }

        Assert.All(duplicates, d => Assert.Equal((true, SubscriptionStatus.Canceled), (Stripe.Refunds.ContainsKey(d.Id), d.Status)));
    }

    [Fact]
    public async Task A_resolved_duplicate_is_logged_once_for_the_operator_with_its_ids_and_refund_as_fields()
    {
        var kept = await SubscribedAsync();
        var duplicate = Stripe.CompleteCheckout(Account, kept.CustomerId, TestCatalog.ProMonthly);
        _world.Time.Advance(TimeSpan.FromMinutes(1));
        var log = new FakeLogger<StripeSubscriptionSync>();

        await _world.InstanceSync(Stripe, _world.Time, log).SyncAsync(AccountId, duplicate.Id, CancellationToken.None);

        var line = Assert.Single(log.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal(
            (Account, duplicate.Id, kept.Id, "1900", "usd"),
            (line.GetStructuredStateValue("AccountId"), line.GetStructuredStateValue("DuplicateSubscriptionId"), line.GetStructuredStateValue("KeptSubscriptionId"),
                line.GetStructuredStateValue("RefundedMinorUnits"), line.GetStructuredStateValue("Currency")));
    }

    [Fact]
    public async Task Two_live_subscriptions_left_unsettled_are_logged_once_as_an_error_with_their_ids_as_fields()
    {
        var current = await SubscribedAsync();
        var other = Stripe.CompleteCheckout(Account, current.CustomerId, TestCatalog.BasicMonthly);
        var read = (await Stripe.GetSubscriptionAsync(other.Id, CancellationToken.None))!; // read live, then Stripe no longer has it
        Stripe.Forget(other);
        var log = new FakeLogger<StripeSubscriptionSync>();

        var result = await _world.InstanceSync(Stripe, _world.Time, log).ApplyAsync(AccountId, read, CancellationToken.None);

        Assert.Equal(SubscriptionSyncOutcome.ConflictsWithLiveSubscription, result.Outcome);
        var line = Assert.Single(log.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Equal(
            (Account, current.Id, other.Id),
            (line.GetStructuredStateValue("AccountId"), line.GetStructuredStateValue("CurrentSubscriptionId"), line.GetStructuredStateValue("OtherSubscriptionId")));
    }

    [Theory]
    [InlineData(false, LogLevel.Warning)] // the subscription is gone: ended as a deletion is
    [InlineData(true, LogLevel.Error)] // neither it nor its customer known: a key of another Stripe account, nothing ended
    public async Task A_live_subscription_stripe_has_no_more_is_logged_once_with_its_ids_as_fields(bool keyOfAnotherAccount, LogLevel expected)
    {
        var subscription = await SubscribedAsync();
        Stripe.Forget(subscription);
        Stripe.KeyOfAnotherAccount = keyOfAnotherAccount;
        var log = new FakeLogger<StripeSubscriptionSync>();

        await _world.InstanceSync(Stripe, _world.Time, log).SyncAsync(AccountId, subscription.Id, CancellationToken.None);

        var line = Assert.Single(log.Collector.GetSnapshot());
        Assert.Equal(expected, line.Level);
        Assert.Equal(
            (Account, subscription.Id, subscription.CustomerId),
            (line.GetStructuredStateValue("AccountId"), line.GetStructuredStateValue("SubscriptionId"), line.GetStructuredStateValue("CustomerId")));
    }

    [Fact]
    public async Task The_sync_that_finds_the_subscription_over_answers_with_the_account_that_adopted_the_live_replacement()
    {
        var (ended, replacement) = await EndedWithAnotherSubscriptionAsync(SubscriptionStatus.Active);

        var result = await _world.Sync.SyncAsync(AccountId, ended.Id, CancellationToken.None);

        Assert.Equal(replacement.Id, _world.Account(Account).Subscription!.SubscriptionId);
        Assert.Equal(replacement.Id, result.Account!.Subscription!.SubscriptionId);
    }

    [Fact]
    public async Task A_live_subscription_that_grants_no_access_is_not_adopted_in_place_of_the_one_that_is_over()
    {
        var (ended, _) = await EndedWithAnotherSubscriptionAsync(SubscriptionStatus.Incomplete);

        await _world.Sync.SyncAsync(AccountId, ended.Id, CancellationToken.None);

        var stored = _world.Account(Account).Subscription!;
        Assert.Equal((ended.Id, SubscriptionStatus.Canceled), (stored.SubscriptionId, stored.Status));
    }

    private async Task<FakeStripeSubscription> SubscribedAsync()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        _world.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(_world.Account(Account).Subscription!.CancelAtPeriodEnd);
        return subscription;
    }

    /// <summary>The account's subscription is canceled in Stripe (not synced yet) while its customer has another one, in <paramref name="otherStatus"/>.</summary>
    private async Task<(FakeStripeSubscription Ended, FakeStripeSubscription Other)> EndedWithAnotherSubscriptionAsync(SubscriptionStatus otherStatus)
    {
        var ended = await SubscribedAsync();
        var other = Stripe.CompleteCheckout(Account, ended.CustomerId, TestCatalog.ProMonthly);
        other.Status = otherStatus;
        Stripe.CancelNow(ended);
        _world.Time.Advance(TimeSpan.FromSeconds(1));
        return (ended, other);
    }

    /// <summary>A reads at T (nothing scheduled), the customer schedules the cancellation at T+1, B reads and stores it at T+2.</summary>
    private async Task<(FakeStripeSubscription Subscription, FakeTimeProvider ClockA, SubscriptionSnapshot ReadByA)> CancellationStoredByBAfterAReadAsync()
    {
        var subscription = await SubscribedAsync();
        var clockA = new FakeTimeProvider(_world.Time.GetUtcNow() + Ahead);
        var readByA = (await Stripe.ReadBy(clockA).GetSubscriptionAsync(subscription.Id, CancellationToken.None))!;
        Stripe.SetCancelAtPeriodEnd(subscription, cancel: true);
        _world.Time.Advance(TimeSpan.FromSeconds(1));
        await _world.Sync.SyncAsync(AccountId, subscription.Id, CancellationToken.None);
        return (subscription, clockA, readByA);
    }

    private sealed class ChangedAfterEveryRead(IStripeSubscriptionSource inner, Func<Task> meanwhile) : IStripeSubscriptionSource
    {
        public int Reads { get; private set; }

        public async Task<SubscriptionSnapshot?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
        {
            var read = await inner.GetSubscriptionAsync(subscriptionId, cancellationToken);
            Reads++;
            await meanwhile();
            return read;
        }

        public Task<IReadOnlyList<SubscriptionSnapshot>> ListCustomerSubscriptionsAsync(string customerId, bool includeEnded, CancellationToken cancellationToken) =>
            inner.ListCustomerSubscriptionsAsync(customerId, includeEnded, cancellationToken);

        public Task<string?> FindCustomerIdAsync(AccountId accountId, CancellationToken cancellationToken) =>
            inner.FindCustomerIdAsync(accountId, cancellationToken);

        public Task<StripeCustomerSnapshot?> GetCustomerAsync(string customerId, CancellationToken cancellationToken) =>
            inner.GetCustomerAsync(customerId, cancellationToken);
    }
}
