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

    private readonly InMemoryMissedEventSweepPositionStore _positions;

    private readonly List<IReadOnlyList<RenewalOverdue>> _listed = [];

    public MissedEventSweepTests() => _positions = new InMemoryMissedEventSweepPositionStore(_world.Time);

    /// <summary>
    /// A sweep as a fresh process builds it (the timer may run on any instance, each run in a new process): new
    /// instances of everything, sharing only what is durable (the account store, Stripe, the position store).
    /// </summary>
    private MissedEventSweep Sweep
    {
        get
        {
            var sync = new StripeSubscriptionSync(
                _world.Stripe, _world.Stripe, new SubscriptionSnapshotApplier(_world.Accounts, new InMemoryUsageLedger(), _world.Catalog, Options.Create(_world.SyncOptions)), _world.Accounts, _world.Time,
                NullLogger<StripeSubscriptionSync>.Instance);
            return new MissedEventSweep(new RecordingRenewalQuery(_world.Accounts, _listed), _world.Accounts, sync, _positions, Options.Create(_options), _world.Time, NullLogger<MissedEventSweep>.Instance);
        }
    }

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
    public async Task Accounts_that_stay_overdue_cannot_hide_an_older_one_runs_in_fresh_processes_go_on_below_them_and_start_again_at_the_top()
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
        var second = await Sweep.RunAsync(CancellationToken.None); // a new process goes on strictly after user-b: user-old
        var third = await Sweep.RunAsync(CancellationToken.None); // that batch was short: the top again

        Assert.Equal(new MissedEventSweepSummary(2, 0, 2, 0, MoreDue: true), first);
        Assert.Equal(new MissedEventSweepSummary(1, 1, 0, 0, MoreDue: false), second);
        Assert.Equal(new MissedEventSweepSummary(2, 0, 2, 0, MoreDue: true), third);
        Assert.Equal(SubscriptionStatus.Canceled, _world.Account("user-old").Subscription!.Status);
        Assert.Equal([["user-c", "user-b"], ["user-old"], ["user-c", "user-b"]], Listed());
    }

    [Fact]
    public async Task Accounts_sharing_one_renewsBy_beyond_a_batch_are_each_listed_once_per_lap_and_an_older_one_is_still_reached()
    {
        _options.BatchSize = 10;
        var old = _world.Stripe.CompleteCheckout("user-old", _world.Stripe.CreateCustomer("user-old"), TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        _world.Time.Advance(TimeSpan.FromDays(1));
        var anchor = _world.Time.GetUtcNow().AddMonths(1); // an aligned billing anchor: 25 periods end on the same instant
        var tied = Enumerable.Range(1, 25).Select(i => $"user-{i:00}").ToList();
        foreach (var account in tied)
        {
            _world.Stripe.CompleteCheckout(account, _world.Stripe.CreateCustomer(account), TestCatalog.ProMonthly).PeriodEnd = anchor;
        }

        await _world.DeliverNewEventsAsync();
        Assert.All(tied, a => Assert.Equal(anchor, _world.Account(a).RenewsBy));
        _world.Stripe.CancelNow(old); // its event is lost; the 25 Stripe leaves overdue for good
        _world.Time.SetUtcNow(anchor + TimeSpan.FromHours(3));

        var runs = new List<MissedEventSweepSummary>();
        for (var run = 0; run < 4; run++)
        {
            runs.Add(await Sweep.RunAsync(CancellationToken.None)); // each in a fresh process
        }

        Assert.Equal(
            [
                new MissedEventSweepSummary(10, 0, 10, 0, MoreDue: true),
                new MissedEventSweepSummary(10, 0, 10, 0, MoreDue: true),
                new MissedEventSweepSummary(6, 1, 5, 0, MoreDue: false),
                new MissedEventSweepSummary(10, 0, 10, 0, MoreDue: true), // the next lap
            ],
            runs);
        var lap = Listed().Take(3).SelectMany(batch => batch).ToList();
        Assert.Equal([.. tied.OrderDescending(StringComparer.Ordinal), "user-old"], lap); // every account once, in order
        Assert.Equal(lap.Take(10), Listed()[3]);
        Assert.Equal(SubscriptionStatus.Canceled, _world.Account("user-old").Subscription!.Status);
    }

    [Fact]
    public async Task The_position_a_run_writes_is_the_last_account_it_listed_or_none_after_a_short_batch()
    {
        _options.BatchSize = 2;
        foreach (var account in new[] { "user-a", "user-b", "user-c" })
        {
            _world.Stripe.CompleteCheckout(account, _world.Stripe.CreateCustomer(account), TestCatalog.ProMonthly);
        }

        await _world.DeliverNewEventsAsync();
        _world.Time.SetUtcNow(_world.Account("user-c").RenewsBy!.Value + TimeSpan.FromHours(3));

        await Sweep.RunAsync(CancellationToken.None);
        var afterFull = _positions.Stored!;
        var firstEnded = _world.Time.GetUtcNow();
        _world.Time.Advance(TimeSpan.FromHours(1));
        await Sweep.RunAsync(CancellationToken.None);
        var afterShort = _positions.Stored!;

        Assert.Equal(2, _listed[0].Count);
        Assert.Equal(new StoredSweepPosition(_listed[0][^1], firstEnded, afterFull.ETag), afterFull);
        Assert.DoesNotContain(_listed[1], d => _listed[0].Contains(d)); // the next run went on strictly after it
        Assert.Equal(new StoredSweepPosition(null, _world.Time.GetUtcNow(), afterShort.ETag), afterShort);
        Assert.NotEqual(afterFull.ETag, afterShort.ETag);
    }

    [Fact]
    public async Task When_another_run_moved_the_position_meanwhile_a_run_leaves_it_as_that_run_wrote_it()
    {
        _options.BatchSize = 1;
        foreach (var account in new[] { "user-a", "user-b", "user-c" })
        {
            _world.Stripe.CompleteCheckout(account, _world.Stripe.CreateCustomer(account), TestCatalog.ProMonthly);
            _world.Time.Advance(TimeSpan.FromMinutes(1));
        }

        await _world.DeliverNewEventsAsync();
        _world.Time.SetUtcNow(_world.Account("user-c").RenewsBy!.Value + TimeSpan.FromHours(3));
        await Sweep.RunAsync(CancellationToken.None); // user-c; the position is after it
        MissedEventSweepSummary? overlapping = null;
        _positions.BeforeWrite = async () => overlapping = await Sweep.RunAsync(CancellationToken.None); // starts and ends inside the slow run

        var slow = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 0, 1, 0, MoreDue: true), slow);
        Assert.Equal(slow, overlapping);
        Assert.Equal([["user-c"], ["user-b"], ["user-b"]], Listed()); // both read the stored position: the same batch
        Assert.Equal(1, _positions.Conflicts);
        Assert.Equal("user-b", _positions.Stored!.After!.AccountId.Value); // as the overlapping run wrote it, once
        await Sweep.RunAsync(CancellationToken.None);
        Assert.Equal(["user-a"], Listed()[^1]); // the next run goes on from there
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
        var sweep = new MissedEventSweep(_world.Accounts, unreadable, _world.Sync, _positions, Options.Create(_options), _world.Time, NullLogger<MissedEventSweep>.Instance);

        var summary = await sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(2, 1, 0, 1, MoreDue: false), summary);
        Assert.Equal(subscriptions[1].PeriodStart, _world.Account("user-2").Subscription!.CurrentPeriodStart);
        Assert.NotEqual(subscriptions[0].PeriodStart, _world.Account("user-1").Subscription!.CurrentPeriodStart);
    }

    private List<List<string>> Listed() => [.. _listed.Select(batch => batch.Select(d => d.AccountId.Value).ToList())];

    /// <summary>The renewal query, recording each batch it listed.</summary>
    private sealed class RecordingRenewalQuery(IAccountRenewalQuery inner, List<IReadOnlyList<RenewalOverdue>> listed) : IAccountRenewalQuery
    {
        public async Task<IReadOnlyList<RenewalOverdue>> ListRenewalOverdueAsync(DateTimeOffset renewsBefore, RenewalOverdue? after, int limit, CancellationToken cancellationToken)
        {
            var batch = await inner.ListRenewalOverdueAsync(renewsBefore, after, limit, cancellationToken);
            listed.Add(batch);
            return batch;
        }
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
