using Billing.Application.Accounts;
using Billing.Application.Payments;
using Billing.Application.StripeEvents;
using Billing.Application.Subscriptions;
using Billing.Application.Tests.Fakes;
using Billing.Application.Tests.StripeEvents;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Billing.TestSupport;

namespace Billing.Application.Tests.Subscriptions;

public sealed class MissedEventSweepTests
{
    private readonly WebhookWorld _world = new();
    private readonly MissedEventSweepOptions _options = new() { Grace = TimeSpan.FromHours(2), BatchSize = 10 };

    private readonly InMemoryMissedEventSweepPositionStore _positions;

    private readonly List<IReadOnlyList<RenewalOverdue>> _listed = [];

    /// <summary>How long each listing takes on the clock (a batch's own time, besides its Stripe reads).</summary>
    private TimeSpan _listingTakes = TimeSpan.Zero;

    /// <summary>Runs before each listing, with the number of listings made before it (by every run).</summary>
    private Action<int>? _beforeListing;

    /// <summary>Runs after each listing, before its accounts are swept (a webhook landing in between).</summary>
    private Func<Task>? _afterListing;

    public MissedEventSweepTests() => _positions = new InMemoryMissedEventSweepPositionStore(_world.Time);

    /// <summary>
    /// A sweep as a fresh process builds it (the timer may run on any instance, each run in a new process): new
    /// instances of everything, sharing only what is durable (the account store, Stripe, the position store).
    /// </summary>
    private MissedEventSweep Sweep => SweepWriting(_world.Accounts);

    /// <summary>A sweep whose subscription writes go through <paramref name="writes"/> (and reads from Stripe through <paramref name="stripe"/>).</summary>
    private MissedEventSweep SweepWriting(IBillingAccountStore writes, IStripeSubscriptionSource? stripe = null, ILogger<MissedEventSweep>? log = null)
    {
        var sync = new StripeSubscriptionSync(
            stripe ?? _world.Stripe, _world.Stripe, _world.Applier(writes, _world.Time), _world.Accounts, _world.Time,
            NullLogger<StripeSubscriptionSync>.Instance);
        var query = new RecordingRenewalQuery(_world.Accounts, _listed, () =>
        {
            _beforeListing?.Invoke(_listed.Count);
            _world.Time.Advance(_listingTakes);
        }, () => _afterListing?.Invoke() ?? Task.CompletedTask);
        return new MissedEventSweep(query, _world.Accounts, sync, _positions, Options.Create(_options), _world.Time, log ?? NullLogger<MissedEventSweep>.Instance);
    }

    /// <summary>Each batch takes the whole time budget: a run makes one batch, and the next run goes on from its position.</summary>
    private void EachRunHasTimeForOneBatch() => _listingTakes = _options.TimeBudget;

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

        Assert.Equal(new MissedEventSweepSummary(1, 0, 0, 0, 0, MoreDue: false, StoppedOnBudget: false), early);
        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: false, StoppedOnBudget: false), late);
        Assert.Equal(new MissedEventSweepSummary(1, 0, 0, 0, 0, MoreDue: false, StoppedOnBudget: false), again);
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

        Assert.Equal(new MissedEventSweepSummary(1, 1, 0, 1, 0, MoreDue: false, StoppedOnBudget: false), first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_renewal_missed_is_applied_and_the_batch_is_bounded()
    {
        EachRunHasTimeForOneBatch();
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

        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: true, StoppedOnBudget: true), first);
        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: true, StoppedOnBudget: true), second);
        Assert.All(subscriptions, s => Assert.Equal(s.PeriodStart, _world.Account(s.AccountId!).Subscription!.CurrentPeriodStart));
    }

    [Fact]
    public async Task Accounts_that_stay_overdue_cannot_hide_an_older_one_runs_in_fresh_processes_go_on_below_them_and_start_again_at_the_top()
    {
        EachRunHasTimeForOneBatch();
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

        Assert.Equal(new MissedEventSweepSummary(1, 2, 0, 2, 0, MoreDue: true, StoppedOnBudget: true), first);
        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: false, StoppedOnBudget: false), second);
        Assert.Equal(new MissedEventSweepSummary(1, 2, 0, 2, 0, MoreDue: true, StoppedOnBudget: true), third);
        Assert.Equal(SubscriptionStatus.Canceled, _world.Account("user-old").Subscription!.Status);
        Assert.Equal([["user-c", "user-b"], ["user-old"], ["user-c", "user-b"]], Listed());
    }

    [Fact]
    public async Task Accounts_sharing_one_renewsBy_beyond_a_batch_are_each_listed_once_per_lap_and_an_older_one_is_still_reached()
    {
        EachRunHasTimeForOneBatch();
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
                new MissedEventSweepSummary(1, 10, 0, 10, 0, MoreDue: true, StoppedOnBudget: true),
                new MissedEventSweepSummary(1, 10, 0, 10, 0, MoreDue: true, StoppedOnBudget: true),
                new MissedEventSweepSummary(1, 6, 1, 5, 0, MoreDue: false, StoppedOnBudget: false),
                new MissedEventSweepSummary(1, 10, 0, 10, 0, MoreDue: true, StoppedOnBudget: true), // the next lap
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
        EachRunHasTimeForOneBatch();
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
        EachRunHasTimeForOneBatch();
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

        Assert.Equal(new MissedEventSweepSummary(1, 1, 0, 1, 0, MoreDue: true, StoppedOnBudget: false), slow); // stopped: the other run goes on
        Assert.Equal(slow with { StoppedOnBudget = true }, overlapping);
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

        Assert.Equal(new MissedEventSweepSummary(1, 2, 1, 0, 1, MoreDue: false, StoppedOnBudget: false), summary);
        Assert.Equal(subscriptions[1].PeriodStart, _world.Account("user-2").Subscription!.CurrentPeriodStart);
        Assert.NotEqual(subscriptions[0].PeriodStart, _world.Account("user-1").Subscription!.CurrentPeriodStart);
    }

    /// <summary>
    /// One account's failure does not stop the others, and the next lap tries it again. That mends a Stripe or Cosmos DB
    /// outage and a concurrent write (warnings); it never mends an account that cannot be read back, which then keeps its
    /// paid plan lap after lap with nothing else failing: an error for the operator, naming the account.
    /// </summary>
    [Theory]
    [InlineData("unreadable", LogLevel.Error)]
    [InlineData("stripe down", LogLevel.Warning)]
    [InlineData("stripe refuses", LogLevel.Error)]
    [InlineData("store down", LogLevel.Warning)]
    [InlineData("concurrent writes", LogLevel.Warning)]
    public async Task An_account_the_sweep_cannot_correct_is_an_error_only_when_no_later_lap_can(string failure, LogLevel expected)
    {
        var subscription = await SubscribedAsync("user-1");
        _world.Time.SetUtcNow(subscription.PeriodEnd + TimeSpan.FromHours(3));
        IBillingAccountStore accounts = failure switch
        {
            "unreadable" => new UnreadableAccount(_world.Accounts, AccountId.Parse("user-1")),
            "store down" => new UnreadableAccount(_world.Accounts, AccountId.Parse("user-1"), new ServiceUnavailableException("Cosmos DB refused the request (429); it was not done.")),
            "concurrent writes" => new UnreadableAccount(_world.Accounts, AccountId.Parse("user-1"), new AccountUpdateConflictException("Account user-1 kept changing under every attempt.")),
            _ => _world.Accounts,
        };
        if (failure == "stripe down")
        {
            _world.Stripe.Outage = new PaymentProviderException("Could not read the subscription: Stripe did not answer in time.") { IsTransient = true };
        }

        if (failure == "stripe refuses")
        {
            _world.Stripe.Outage = new PaymentProviderException("Stripe refused the request: invalid_request_error.") { IsTransient = false };
        }

        var log = new FakeLogger<MissedEventSweep>();
        var summary = await new MissedEventSweep(_world.Accounts, accounts, _world.Sync, _positions, Options.Create(_options), _world.Time, log).RunAsync(CancellationToken.None);

        Assert.Equal(1, summary.Failed);
        var line = Assert.Single(log.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        Assert.Equal(expected, line.Level);
        Assert.Contains("user-1", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subscription_stripe_no_longer_has_ends_the_paid_plan_once_and_leaves_the_overdue_set_for_good()
    {
        var subscription = await SubscribedAsync("user-1");
        _world.Stripe.Forget(subscription); // test data deleted, or the key is now another Stripe account's: no event
        _world.Time.SetUtcNow(subscription.PeriodEnd + TimeSpan.FromHours(3));
        var writes = _world.Accounts.Writes;

        var runs = new List<MissedEventSweepSummary>();
        var plans = new List<string>();
        for (var month = 0; month < 6; month++)
        {
            runs.Add(await Sweep.RunAsync(CancellationToken.None));
            plans.Add(Plan(_world.Account("user-1")));
            _world.Time.Advance(TimeSpan.FromDays(31));
        }

        Assert.Equal([new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: false, StoppedOnBudget: false), .. Enumerable.Repeat(new MissedEventSweepSummary(1, 0, 0, 0, 0, MoreDue: false, StoppedOnBudget: false), 5)], runs);
        Assert.All(plans, plan => Assert.Equal("FREE", plan));
        var account = _world.Account("user-1");
        Assert.Equal((subscription.Id, SubscriptionStatus.Canceled), (account.Subscription!.SubscriptionId, account.Subscription.Status));
        Assert.Null(account.RenewsBy);
        Assert.Equal(writes + 1, _world.Accounts.Writes); // ended once, never written again
    }

    [Theory]
    [InlineData("Could not read the subscription: Stripe answered 503 api_error/ (request req_1).", true)]
    [InlineData("Could not read the subscription: Stripe did not answer in time.", true)]
    [InlineData("Could not read the subscription: Stripe answered 401 invalid_request_error/ (request req_1).", false)]
    [InlineData("Could not read the subscription: Stripe answered 403 invalid_request_error/ (request req_1).", false)]
    public async Task A_read_that_fails_ends_nothing_the_account_stays_due_and_is_ended_once_stripe_answers_no_such_subscription(string failure, bool transient)
    {
        var subscription = await SubscribedAsync("user-1");
        _world.Stripe.Forget(subscription);
        _world.Time.SetUtcNow(subscription.PeriodEnd + TimeSpan.FromHours(3));
        _world.Stripe.Outage = new PaymentProviderException(failure) { IsTransient = transient }; // as the adapter throws it

        var failed = await Sweep.RunAsync(CancellationToken.None);
        var during = _world.Account("user-1");
        _world.Stripe.Outage = null;
        var answered = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 1, 0, 0, 1, MoreDue: false, StoppedOnBudget: false), failed);
        Assert.Equal((SubscriptionStatus.Active, "PRO"), (during.Subscription!.Status, Plan(during)));
        Assert.NotNull(during.RenewsBy);
        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: false, StoppedOnBudget: false), answered);
        Assert.Equal(SubscriptionStatus.Canceled, _world.Account("user-1").Subscription!.Status);
    }

    [Fact]
    public async Task A_subscription_stripe_answers_for_another_customer_ends_nothing_and_the_account_stays_due()
    {
        var subscription = await SubscribedAsync("user-1");
        var other = _world.Stripe.CreateCustomer("someone-else");
        _world.Stripe.Subscriptions[subscription.Id] = OfCustomer(subscription, other);
        _world.Time.SetUtcNow(subscription.PeriodEnd + TimeSpan.FromHours(3));

        var mismatch = await Sweep.RunAsync(CancellationToken.None);
        var during = _world.Account("user-1");
        _world.Stripe.Forget(subscription);
        var gone = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 1, 0, 1, 0, MoreDue: false, StoppedOnBudget: false), mismatch);
        Assert.Equal((SubscriptionStatus.Active, "PRO"), (during.Subscription!.Status, Plan(during)));
        Assert.NotNull(during.RenewsBy);
        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: false, StoppedOnBudget: false), gone);
    }

    [Fact]
    public async Task A_webhooks_read_from_before_stripe_lost_the_subscription_stored_after_the_sweep_ended_it_does_not_bring_the_plan_back()
    {
        var subscription = await SubscribedAsync("user-1");
        _world.Time.SetUtcNow(subscription.PeriodEnd + TimeSpan.FromHours(3));
        var readByWebhook = (await _world.Stripe.GetSubscriptionAsync(subscription.Id, CancellationToken.None))!; // then its worker stalls
        _world.Stripe.Forget(subscription);

        var summary = await Sweep.RunAsync(CancellationToken.None);
        var late = await _world.Sync.ApplyAsync(AccountId.Parse("user-1"), readByWebhook, CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: false, StoppedOnBudget: false), summary);
        Assert.Equal(SubscriptionSyncOutcome.NewerStateKept, late.Outcome);
        var account = _world.Account("user-1");
        Assert.Equal((SubscriptionStatus.Canceled, "FREE"), (account.Subscription!.Status, Plan(account)));
        Assert.Null(account.RenewsBy);
    }

    [Fact]
    public async Task A_webhook_that_ends_it_while_the_sweep_writes_wins_the_race_and_the_sweeps_write_decided_again_is_a_duplicate()
    {
        var subscription = await SubscribedAsync("user-1");
        _world.Stripe.PayLatestInvoice(subscription); // its invoice.paid is delivered late, during the sweep's write
        _world.Stripe.Forget(subscription);
        _world.Time.SetUtcNow(subscription.PeriodEnd + TimeSpan.FromHours(3));
        var racing = new WriteLandsMeanwhile(_world.Accounts, () => _world.DeliverNewEventsAsync());

        var summary = await SweepWriting(racing).RunAsync(CancellationToken.None);

        Assert.Equal(2, racing.Decisions); // the sweep's compare-and-swap lost to the webhook's write and was decided again
        Assert.Equal(new MissedEventSweepSummary(1, 1, 0, 1, 0, MoreDue: false, StoppedOnBudget: false), summary); // the webhook ended it: this run changed nothing
        var webhook = _world.Events.Get(_world.Stripe.Events[^1].Id);
        Assert.Equal(StripeEventStatus.Applied, webhook.Status);
        Assert.Single(_world.Accounts.History, a => a.Subscription?.Status == SubscriptionStatus.Canceled); // ended once
        var account = _world.Account("user-1");
        Assert.Equal((SubscriptionStatus.Canceled, "FREE"), (account.Subscription!.Status, Plan(account)));
        Assert.Null(account.RenewsBy);
    }

    [Fact]
    public async Task After_the_end_a_late_webhook_about_the_subscription_changes_nothing_and_one_that_finds_it_in_stripe_again_brings_the_plan_back()
    {
        var subscription = await SubscribedAsync("user-1");
        _world.Stripe.PayLatestInvoice(subscription); // raised before Stripe lost it, delivered after the sweep ended it
        _world.Stripe.Forget(subscription);
        _world.Time.SetUtcNow(subscription.PeriodEnd + TimeSpan.FromHours(3));
        var summary = await Sweep.RunAsync(CancellationToken.None);
        var writes = _world.Accounts.Writes;

        await _world.DeliverNewEventsAsync();
        var late = _world.Events.Get(_world.Stripe.Events[^1].Id);
        var afterLate = (_world.Account("user-1"), _world.Accounts.Writes);
        _world.Stripe.Restore(subscription); // the key set right again: Stripe has it after all
        _world.Stripe.PayLatestInvoice(subscription);
        await _world.DeliverNewEventsAsync();

        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: false, StoppedOnBudget: false), summary);
        Assert.Equal(StripeEventStatus.Ignored, late.Status);
        Assert.Contains("nothing changed", late.Note, StringComparison.Ordinal);
        Assert.Equal(("FREE", writes), (Plan(afterLate.Item1), afterLate.Writes));
        var restored = _world.Account("user-1");
        Assert.Equal((SubscriptionStatus.Active, "PRO"), (restored.Subscription!.Status, Plan(restored)));
    }

    [Fact]
    public async Task One_run_sweeps_batch_after_batch_until_its_lap_ends_and_writes_its_position_after_each_batch()
    {
        _options.BatchSize = 2;
        var subscriptions = await RenewalsMissedAsync(5);
        var positionBeforeListing = new List<string?>();
        _beforeListing = _ => positionBeforeListing.Add(_positions.Stored?.After?.AccountId.Value);

        var summary = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(3, 5, 5, 0, 0, MoreDue: false, StoppedOnBudget: false), summary);
        Assert.Equal([["user-5", "user-4"], ["user-3", "user-2"], ["user-1"]], Listed()); // each account once, in order
        Assert.Equal([null, "user-4", "user-2"], positionBeforeListing); // each batch went on from the one before
        Assert.Null(_positions.Stored!.After); // the lap ended: the next run starts at the top
        Assert.All(subscriptions, s => Assert.Equal(s.PeriodStart, _world.Account(s.AccountId!).Subscription!.CurrentPeriodStart));
    }

    [Fact]
    public async Task A_full_batch_whose_customers_stripe_knows_none_of_stops_the_run_and_the_next_goes_on_after_it()
    {
        _options.BatchSize = 2;
        await RenewalsMissedAsync(5);
        _world.Stripe.KeyOfAnotherAccount = true; // every subscription and every customer is "no such"
        var writes = _world.Accounts.Writes;
        var log = new FakeLogger<MissedEventSweep>();

        var wrongKey = await SweepWriting(_world.Accounts, log: log).RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 2, 0, 0, 2, MoreDue: true, StoppedOnBudget: false), wrongKey);
        Assert.Equal([["user-5", "user-4"]], Listed()); // one batch of three reads each, not the whole lap
        Assert.Single(log.Collector.GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains("Stripe knew the customer of none", StringComparison.Ordinal)); // the operator's alert: the key is wrong
        Assert.Equal(writes, _world.Accounts.Writes);

        _world.Stripe.KeyOfAnotherAccount = false;
        var rightKey = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(2, 3, 3, 0, 0, MoreDue: false, StoppedOnBudget: false), rightKey); // on from the position
    }

    [Fact]
    public async Task A_run_starts_no_batch_its_batches_so_far_say_would_overrun_its_time_budget_and_the_next_run_goes_on_where_it_stopped()
    {
        _options.BatchSize = 2;
        _options.TimeBudget = TimeSpan.FromSeconds(150);
        _listingTakes = TimeSpan.FromMinutes(1); // after two batches 2 of the 2.5 minutes are spent: a third would overrun
        await RenewalsMissedAsync(7);

        var first = await Sweep.RunAsync(CancellationToken.None);
        var afterFirst = _positions.Stored!.After!.AccountId.Value;
        var second = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(2, 4, 4, 0, 0, MoreDue: true, StoppedOnBudget: true), first);
        Assert.Equal("user-4", afterFirst);
        Assert.Equal(new MissedEventSweepSummary(2, 3, 3, 0, 0, MoreDue: false, StoppedOnBudget: false), second);
        Assert.Equal([["user-7", "user-6"], ["user-5", "user-4"], ["user-3", "user-2"], ["user-1"]], Listed());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_run_cancelled_or_failing_in_its_second_batch_keeps_the_first_batchs_position_and_the_next_run_goes_on_from_it(bool cancelled)
    {
        _options.BatchSize = 2;
        var subscriptions = await RenewalsMissedAsync(5);
        using var cancellation = new CancellationTokenSource();
        _beforeListing = listing =>
        {
            if (listing == 1 && cancelled)
            {
                cancellation.Cancel(); // the host is stopping
            }
            else if (listing == 1)
            {
                throw new InvalidOperationException("The store did not answer."); // the second listing fails
            }
        };

        var stopped = await Assert.ThrowsAnyAsync<Exception>(() => Sweep.RunAsync(cancellation.Token));
        var position = _positions.Stored!.After!.AccountId.Value;
        var periods = subscriptions.Select(s => _world.Account(s.AccountId!).Subscription!.CurrentPeriodStart).ToList();
        _beforeListing = null;
        var next = await Sweep.RunAsync(CancellationToken.None);

        Assert.IsAssignableFrom(cancelled ? typeof(OperationCanceledException) : typeof(InvalidOperationException), stopped);
        Assert.Equal("user-4", position);
        Assert.Equal([false, false, false, true, true], subscriptions.Select((s, i) => periods[i] == s.PeriodStart)); // only the first batch's
        Assert.Equal(new MissedEventSweepSummary(2, 3, 3, 0, 0, MoreDue: false, StoppedOnBudget: false), next);
        Assert.Equal(["user-3", "user-2"], Listed()[^2]); // the next run went on strictly after the first batch
        Assert.All(subscriptions, s => Assert.Equal(s.PeriodStart, _world.Account(s.AccountId!).Subscription!.CurrentPeriodStart));
    }

    [Fact]
    public async Task A_run_cancelled_during_the_last_account_of_a_batch_keeps_that_batchs_position_and_lists_no_further_batch()
    {
        _options.BatchSize = 2;
        _options.Parallelism = 1;
        await RenewalsMissedAsync(3);
        using var cancellation = new CancellationTokenSource();
        var stripe = new GatedStripe(_world.Stripe, opened: true) { OnRead = reads => { if (reads == 2) cancellation.Cancel(); } };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SweepWriting(_world.Accounts, stripe).RunAsync(cancellation.Token));

        Assert.Equal(["user-3", "user-2"], Assert.Single(Listed())); // user-2 was under way, then no further listing
        Assert.Equal("user-2", _positions.Stored!.After!.AccountId.Value);
    }

    [Fact]
    public async Task A_run_cancelled_during_a_batch_starts_no_further_account_and_writes_no_position_for_that_batch()
    {
        _options.BatchSize = 3;
        _options.Parallelism = 1;
        var subscriptions = await RenewalsMissedAsync(3);
        using var cancellation = new CancellationTokenSource();
        var stripe = new GatedStripe(_world.Stripe, opened: true) { OnRead = reads => { if (reads == 2) cancellation.Cancel(); } };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SweepWriting(_world.Accounts, stripe).RunAsync(cancellation.Token));
        var read = stripe.Reads;
        var stored = _positions.Stored;
        var next = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(2, read); // user-3 and user-2 were under way; user-1 was never started
        Assert.Null(stored); // the batch was not finished: no position
        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: false, StoppedOnBudget: false), next); // user-1, from the top
        Assert.Equal(["user-1"], Listed()[^1]);
        Assert.All(subscriptions, s => Assert.Equal(s.PeriodStart, _world.Account(s.AccountId!).Subscription!.CurrentPeriodStart));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_batch_too_slow_for_the_functions_timeout_is_cut_short_and_the_next_run_goes_on_after_the_accounts_it_did(int parallelism)
    {
        _options.BatchSize = 5; // a batch larger than the Stripe budget gets through before the host's timeout
        _options.Parallelism = parallelism;
        var subscriptions = await RenewalsMissedAsync(7);
        var stripe = new GatedStripe(_world.Stripe, opened: true) { OnRead = _ => _world.Time.Advance(TimeSpan.FromSeconds(100)) };

        var cut = await SweepWriting(_world.Accounts, stripe).RunAsync(CancellationToken.None);
        var done = cut.Due;
        var position = _positions.Stored?.After?.AccountId.Value;
        var next = await Sweep.RunAsync(CancellationToken.None);

        Assert.InRange(done, 1, 4); // no account started 4.5 minutes into the run, the host's timeout being 5
        Assert.Equal(new MissedEventSweepSummary(1, done, done, 0, 0, MoreDue: true, StoppedOnBudget: true), cut);
        Assert.Equal($"user-{7 - done + 1}", position); // after the last account it did
        Assert.Equal([.. Enumerable.Range(1, 7 - done).Reverse().Select(i => $"user-{i}")], Listed()[^1]); // the rest, none twice
        Assert.Equal(new MissedEventSweepSummary(1, 7 - done, 7 - done, 0, 0, MoreDue: false, StoppedOnBudget: false), next);
        Assert.All(subscriptions, s => Assert.Equal(s.PeriodStart, _world.Account(s.AccountId!).Subscription!.CurrentPeriodStart));
    }

    [Fact]
    public async Task The_accounts_of_a_batch_are_synced_parallelism_at_a_time_and_one_that_fails_stops_none_of_the_others()
    {
        _options.Parallelism = 3;
        var subscriptions = await RenewalsMissedAsync(7);
        var stripe = new GatedStripe(_world.Stripe, opened: false) { Failing = subscriptions[3].Id };

        var run = SweepWriting(_world.Accounts, stripe).RunAsync(CancellationToken.None);
        var waiting = stripe.InFlight; // the reads started before any of them answered
        stripe.Open();
        var summary = await run;

        Assert.Equal(3, waiting);
        Assert.Equal(3, stripe.MostInFlight);
        Assert.Equal(7, stripe.Reads);
        Assert.Equal(new MissedEventSweepSummary(1, 7, 6, 0, 1, MoreDue: false, StoppedOnBudget: false), summary);
        Assert.All(subscriptions.Where((_, i) => i != 3), s => Assert.Equal(s.PeriodStart, _world.Account(s.AccountId!).Subscription!.CurrentPeriodStart));
        Assert.NotEqual(subscriptions[3].PeriodStart, _world.Account("user-4").Subscription!.CurrentPeriodStart);
    }

    [Fact]
    public async Task A_run_whose_position_another_run_moved_stops_there_and_leaves_the_walk_to_that_run()
    {
        _options.BatchSize = 1;
        foreach (var account in new[] { "user-a", "user-b", "user-c" })
        {
            _world.Stripe.CompleteCheckout(account, _world.Stripe.CreateCustomer(account), TestCatalog.ProMonthly);
            _world.Time.Advance(TimeSpan.FromMinutes(1));
        }

        await _world.DeliverNewEventsAsync();
        _world.Time.SetUtcNow(_world.Account("user-c").RenewsBy!.Value + TimeSpan.FromHours(3)); // Stripe renewed none of them
        MissedEventSweepSummary? overlapping = null;
        _positions.BeforeWrite = async () => overlapping = await Sweep.RunAsync(CancellationToken.None); // its whole lap, inside the slow run's first batch

        var slow = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 1, 0, 1, 0, MoreDue: true, StoppedOnBudget: false), slow);
        Assert.Equal(new MissedEventSweepSummary(4, 3, 0, 3, 0, MoreDue: false, StoppedOnBudget: false), overlapping);
        Assert.Equal([["user-c"], ["user-c"], ["user-b"], ["user-a"], []], Listed());
        Assert.Equal(1, _positions.Conflicts);
        Assert.Null(_positions.Stored!.After); // as the overlapping run left it: its lap ended
    }

    [Fact]
    public async Task A_full_batch_in_which_stripe_knows_only_some_customers_does_not_stop_the_run()
    {
        _options.BatchSize = 2;
        var subscriptions = await RenewalsMissedAsync(3);
        _world.Stripe.Forget(subscriptions[2]); // user-3: neither it nor its customer known any more
        _world.Stripe.Customers.Remove(subscriptions[2].CustomerId);

        var summary = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal([["user-3", "user-2"], ["user-1"]], Listed()); // the run went on to the next batch
        Assert.Equal(new MissedEventSweepSummary(2, 3, 2, 0, 1, MoreDue: false, StoppedOnBudget: false), summary);
    }

    [Fact]
    public async Task The_time_budget_is_weighed_against_the_runs_longest_batch_not_its_last_one()
    {
        _options.BatchSize = 1;
        _options.TimeBudget = TimeSpan.FromMinutes(4);
        _beforeListing = listing => _world.Time.Advance(listing == 0 ? TimeSpan.FromSeconds(96) : TimeSpan.FromSeconds(30));
        await RenewalsMissedAsync(5);

        var summary = await Sweep.RunAsync(CancellationToken.None);

        // 1.6 + 1.6 fits, then 2.1 + 1.6, then 2.6 + 1.6 is over 4 minutes: the short batches do not make the long one forgotten.
        Assert.Equal(new MissedEventSweepSummary(3, 3, 3, 0, 0, MoreDue: true, StoppedOnBudget: true), summary);
    }

    [Fact]
    public async Task A_batch_that_exactly_fits_the_time_budget_is_started()
    {
        _options.BatchSize = 1;
        _listingTakes = TimeSpan.FromMinutes(1);
        _options.TimeBudget = 2 * (_listingTakes + FakeStripe.ReadDuration); // a batch is a listing and one Stripe read: the second exactly fits
        await RenewalsMissedAsync(3);

        var summary = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(2, 2, 2, 0, 0, MoreDue: true, StoppedOnBudget: true), summary);
    }

    [Fact]
    public async Task A_read_cancelled_though_the_run_was_not_counts_as_failed_and_stops_none_of_the_others()
    {
        _options.Parallelism = 1;
        await RenewalsMissedAsync(3);
        var stripe = new GatedStripe(_world.Stripe, opened: true) { OnRead = reads => { if (reads == 1) throw new TaskCanceledException("The request timed out."); } };

        var summary = await SweepWriting(_world.Accounts, stripe).RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 3, 2, 0, 1, MoreDue: false, StoppedOnBudget: false), summary);
    }

    [Fact]
    public async Task A_listing_that_reaches_the_cut_off_sweeps_no_account_leaves_the_position_and_the_next_run_lists_the_same_accounts()
    {
        _options.BatchSize = 2;
        await RenewalsMissedAsync(3);
        EachRunHasTimeForOneBatch();
        await Sweep.RunAsync(CancellationToken.None); // user-3 and user-2: the position is after user-2
        var position = _positions.Stored;
        var reads = _world.Stripe.Reads;
        _listingTakes = MissedEventSweepOptions.FunctionTimeout - MissedEventSweepOptions.MinTimeoutMargin; // the listing alone takes until the cut-off

        var stalled = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 0, 0, 0, 0, MoreDue: true, StoppedOnBudget: true), stalled);
        Assert.Equal(["user-1"], Listed()[^1]);
        Assert.Same(position, _positions.Stored); // not written: the next run goes on from the same place
        Assert.Equal(reads, _world.Stripe.Reads);

        _listingTakes = TimeSpan.Zero;
        var next = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: false, StoppedOnBudget: false), next);
        Assert.Equal(["user-1"], Listed()[^1]);
    }

    [Fact]
    public async Task An_account_a_webhook_brought_up_to_date_after_the_listing_is_counted_unchanged_and_not_read_from_stripe()
    {
        var subscriptions = await RenewalsMissedAsync(2);
        _world.Stripe.CancelNow(subscriptions[1]); // user-2's subscription ends, user-1's is renewed: their events are late, not lost
        _afterListing = () => _world.DeliverNewEventsAsync();
        var stripe = new GatedStripe(_world.Stripe, opened: true);

        var summary = await SweepWriting(_world.Accounts, stripe).RunAsync(CancellationToken.None);

        Assert.Equal([["user-2", "user-1"]], Listed());
        Assert.Equal(new MissedEventSweepSummary(1, 2, 0, 2, 0, MoreDue: false, StoppedOnBudget: false), summary);
        Assert.Equal(0, stripe.Reads);
        Assert.Equal(subscriptions[0].PeriodStart, _world.Account("user-1").Subscription!.CurrentPeriodStart);
        Assert.Equal(SubscriptionStatus.Canceled, _world.Account("user-2").Subscription!.Status);
    }

    [Fact]
    public async Task No_account_is_started_at_the_cut_off_itself()
    {
        _options.BatchSize = 5;
        _options.Parallelism = 1;
        await RenewalsMissedAsync(5);
        var stripe = new GatedStripe(_world.Stripe, opened: true) { OnRead = _ => _world.Time.Advance(TimeSpan.FromSeconds(90) - FakeStripe.ReadDuration) }; // each account 1.5 minutes

        var cut = await SweepWriting(_world.Accounts, stripe).RunAsync(CancellationToken.None);

        Assert.Equal(3, stripe.Reads); // the fourth would start at 4:30, the function timeout (5:00) less its margin
        Assert.Equal(new MissedEventSweepSummary(1, 3, 3, 0, 0, MoreDue: true, StoppedOnBudget: true), cut);
    }

    /// <summary>
    /// Accounts user-1 .. user-<paramref name="count"/> (renewsBy a minute apart, user-1 the oldest) whose renewal Stripe
    /// made but whose events were lost, all past the grace now.
    /// </summary>
    private async Task<List<FakeStripeSubscription>> RenewalsMissedAsync(int count)
    {
        var subscriptions = new List<FakeStripeSubscription>();
        for (var i = 1; i <= count; i++)
        {
            var account = $"user-{i}";
            subscriptions.Add(_world.Stripe.CompleteCheckout(account, _world.Stripe.CreateCustomer(account), TestCatalog.ProMonthly));
            _world.Time.Advance(TimeSpan.FromMinutes(1));
        }

        await _world.DeliverNewEventsAsync();
        var lastDue = subscriptions.Max(s => s.PeriodEnd);
        subscriptions.ForEach(s => _world.Stripe.Renew(s)); // none of these events arrives
        _world.Time.SetUtcNow(lastDue + TimeSpan.FromHours(3));
        return subscriptions;
    }

    [Fact]
    public async Task A_key_of_another_stripe_account_ends_nothing_the_accounts_count_as_failed_stay_due_and_are_corrected_once_the_key_is_right()
    {
        var subscriptions = new[] { await SubscribedAsync("user-1"), await SubscribedAsync("user-2") };
        foreach (var subscription in subscriptions)
        {
            _world.Stripe.Renew(subscription); // its events are lost
        }

        _world.Time.Advance(TimeSpan.FromHours(3));
        _world.Stripe.KeyOfAnotherAccount = true; // "no such subscription" and "no such customer" for every id
        var writes = _world.Accounts.Writes;

        var wrongKey = await Sweep.RunAsync(CancellationToken.None);
        var synced = await _world.Sync.SyncAsync(AccountId.Parse("user-1"), subscriptions[0].Id, CancellationToken.None);
        var during = new[] { _world.Account("user-1"), _world.Account("user-2") };
        var writesDuring = _world.Accounts.Writes;
        _world.Stripe.KeyOfAnotherAccount = false;
        var rightKey = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 2, 0, 0, 2, MoreDue: false, StoppedOnBudget: false), wrongKey);
        Assert.Equal(SubscriptionSyncOutcome.CustomerUnknownInStripe, synced.Outcome);
        Assert.Equal(SubscriptionStatus.Active, synced.Account!.Subscription!.Status);
        Assert.Contains("another Stripe account", synced.Describe(subscriptions[0].Id), StringComparison.Ordinal);
        Assert.Equal(writes, writesDuring); // nothing written
        Assert.All(during, account =>
        {
            Assert.Equal((SubscriptionStatus.Active, "PRO"), (account.Subscription!.Status, Plan(account)));
            Assert.NotNull(account.RenewsBy);
        });
        Assert.Equal(new MissedEventSweepSummary(1, 2, 2, 0, 0, MoreDue: false, StoppedOnBudget: false), rightKey);
        Assert.All(subscriptions, s => Assert.Equal((s.PeriodStart, SubscriptionStatus.Active), (_world.Account(s.AccountId!).Subscription!.CurrentPeriodStart, _world.Account(s.AccountId!).Subscription!.Status)));
    }

    [Fact]
    public async Task A_subscription_stripe_no_longer_has_whose_customer_was_deleted_is_ended()
    {
        var subscription = await SubscribedAsync("user-1");
        _world.Stripe.Forget(subscription);
        _world.Stripe.Customers[subscription.CustomerId].Deleted = true; // Stripe still answers it, deleted: true
        _world.Time.SetUtcNow(subscription.PeriodEnd + TimeSpan.FromHours(3));

        var summary = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: false, StoppedOnBudget: false), summary);
        var account = _world.Account("user-1");
        Assert.Equal((SubscriptionStatus.Canceled, "FREE"), (account.Subscription!.Status, Plan(account)));
        Assert.Null(account.RenewsBy);
    }

    [Theory]
    [InlineData("Could not read the customer: Stripe answered 503 api_error/ (request req_1).", true)]
    [InlineData("Could not read the customer: Stripe answered 401 invalid_request_error/ (request req_1).", false)]
    [InlineData("Could not read the customer: Stripe answered 404 invalid_request_error/ (request req_1).", false)]
    public async Task A_failed_read_of_the_customer_ends_nothing_the_account_counts_as_failed_and_stays_due(string failure, bool transient)
    {
        var subscription = await SubscribedAsync("user-1");
        _world.Stripe.Forget(subscription);
        _world.Time.SetUtcNow(subscription.PeriodEnd + TimeSpan.FromHours(3));
        _world.Stripe.CustomerOutage = new PaymentProviderException(failure) { IsTransient = transient }; // as the adapter throws it
        var writes = _world.Accounts.Writes;

        var failed = await Sweep.RunAsync(CancellationToken.None);
        var during = _world.Account("user-1");
        var writesDuring = _world.Accounts.Writes;
        _world.Stripe.CustomerOutage = null;
        var answered = await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(new MissedEventSweepSummary(1, 1, 0, 0, 1, MoreDue: false, StoppedOnBudget: false), failed);
        Assert.Equal(writes, writesDuring);
        Assert.Equal((SubscriptionStatus.Active, "PRO"), (during.Subscription!.Status, Plan(during)));
        Assert.NotNull(during.RenewsBy);
        Assert.Equal(new MissedEventSweepSummary(1, 1, 1, 0, 0, MoreDue: false, StoppedOnBudget: false), answered);
        Assert.Equal(SubscriptionStatus.Canceled, _world.Account("user-1").Subscription!.Status);
    }

    private async Task<FakeStripeSubscription> SubscribedAsync(string accountId)
    {
        var subscription = _world.Stripe.CompleteCheckout(accountId, _world.Stripe.CreateCustomer(accountId), TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        Assert.Equal("PRO", Plan(_world.Account(accountId)));
        return subscription;
    }

    private string Plan(BillingAccount account) => _world.Entitlements.Evaluate(account, _world.Time.GetUtcNow()).Plan.Code.Value;

    /// <summary>The subscription as Stripe would answer its id if it belonged to <paramref name="customerId"/>.</summary>
    private static FakeStripeSubscription OfCustomer(FakeStripeSubscription subscription, string customerId) => new()
    {
        Id = subscription.Id,
        CustomerId = customerId,
        Created = subscription.Created,
        Status = subscription.Status,
        PriceId = subscription.PriceId,
        PeriodStart = subscription.PeriodStart,
        PeriodEnd = subscription.PeriodEnd,
        LatestInvoiceId = subscription.LatestInvoiceId,
    };

    private List<List<string>> Listed() => [.. _listed.Select(batch => batch.Select(d => d.AccountId.Value).ToList())];

    /// <summary>The renewal query, recording each batch it listed.</summary>
    private sealed class RecordingRenewalQuery(IAccountRenewalQuery inner, List<IReadOnlyList<RenewalOverdue>> listed, Action beforeListing, Func<Task> afterListing) : IAccountRenewalQuery
    {
        public async Task<IReadOnlyList<RenewalOverdue>> ListRenewalOverdueAsync(DateTimeOffset renewsBefore, RenewalOverdue? after, int limit, CancellationToken cancellationToken)
        {
            beforeListing();
            var batch = await inner.ListRenewalOverdueAsync(renewsBefore, after, limit, cancellationToken);
            listed.Add(batch);
            await afterListing();
            return batch;
        }
    }

    /// <summary>
    /// Stripe's subscription reads held at a gate until <see cref="Open"/> (or open from the start), counting the reads
    /// under way at once; <see cref="Failing"/>'s read fails as an outage does; <see cref="OnRead"/> runs as a read starts.
    /// </summary>
    private sealed class GatedStripe(IStripeSubscriptionSource inner, bool opened) : IStripeSubscriptionSource
    {
        private readonly TaskCompletionSource _gate = NewGate(opened);
        private int _inFlight;
        private int _mostInFlight;
        private int _reads;

        public string? Failing { get; init; }

        public Action<int>? OnRead { get; init; }

        public int InFlight => Volatile.Read(ref _inFlight);

        public int MostInFlight => Volatile.Read(ref _mostInFlight);

        public int Reads => Volatile.Read(ref _reads);

        public void Open() => _gate.SetResult();

        public async Task<SubscriptionSnapshot?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
        {
            var reads = Interlocked.Increment(ref _reads);
            OnRead?.Invoke(reads);
            var inFlight = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _mostInFlight, inFlight);
            try
            {
                await _gate.Task.ConfigureAwait(false); // when opened, the waiting reads go on one after another on the opener's thread
                return subscriptionId == Failing
                    ? throw new PaymentProviderException("Could not read the subscription: Stripe answered 503 api_error/ (request req_1).") { IsTransient = true }
                    : await inner.GetSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public Task<IReadOnlyList<SubscriptionSnapshot>> ListCustomerSubscriptionsAsync(string customerId, bool includeEnded, CancellationToken cancellationToken) =>
            inner.ListCustomerSubscriptionsAsync(customerId, includeEnded, cancellationToken);

        public Task<string?> FindCustomerIdAsync(AccountId accountId, CancellationToken cancellationToken) => inner.FindCustomerIdAsync(accountId, cancellationToken);

        public Task<StripeCustomerSnapshot?> GetCustomerAsync(string customerId, CancellationToken cancellationToken) => inner.GetCustomerAsync(customerId, cancellationToken);

        private static TaskCompletionSource NewGate(bool opened)
        {
            var gate = new TaskCompletionSource();
            if (opened)
            {
                gate.SetResult();
            }

            return gate;
        }

        private static void InterlockedMax(ref int target, int value)
        {
            for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            {
                if (Interlocked.CompareExchange(ref target, value, seen) == seen)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// The account store with another writer's update (<paramref name="meanwhile"/>) landing between the first update's
    /// read and its compare-and-swap, which therefore fails: the store reads again and the change decides again.
    /// </summary>
    private sealed class WriteLandsMeanwhile(IBillingAccountStore inner, Func<Task> meanwhile) : IBillingAccountStore
    {
        public int Decisions { get; private set; }

        public Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

        public Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken) => inner.GetOrCreateAsync(accountId, cancellationToken);

        public Task<BillingAccount?> CreateAsync(AccountId accountId, CancellationToken cancellationToken) => inner.CreateAsync(accountId, cancellationToken);

        public Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken) =>
            inner.UpdateAsync(
                accountId,
                account =>
                {
                    if (Decisions++ == 0)
                    {
                        meanwhile().GetAwaiter().GetResult(); // the in-memory ports complete synchronously
                    }

                    return change(account);
                },
                cancellationToken);
    }

    /// <summary>An account store whose document for one account cannot be read (written by a newer schema, say).</summary>
    private sealed class UnreadableAccount(IBillingAccountStore inner, AccountId unreadable, Exception? failure = null) : IBillingAccountStore
    {
        public Task<BillingAccount?> GetAsync(AccountId accountId, CancellationToken cancellationToken) =>
            accountId == unreadable ? throw failure ?? new InvalidDataException("Stored account document is not valid.") : inner.GetAsync(accountId, cancellationToken);

        public Task<BillingAccount> GetOrCreateAsync(AccountId accountId, CancellationToken cancellationToken) => inner.GetOrCreateAsync(accountId, cancellationToken);

        public Task<BillingAccount?> CreateAsync(AccountId accountId, CancellationToken cancellationToken) => inner.CreateAsync(accountId, cancellationToken);

        public Task<BillingAccount> UpdateAsync(AccountId accountId, Func<BillingAccount, BillingAccount?> change, CancellationToken cancellationToken) =>
            inner.UpdateAsync(accountId, change, cancellationToken);
    }
}
