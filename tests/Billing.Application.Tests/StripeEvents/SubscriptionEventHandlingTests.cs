using Billing.Application.Payments;
using Billing.Application.StripeEvents;
using Billing.Application.Tests.Fakes;
using Billing.Application.Tests.StripeEvents.Simulation;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;

namespace Billing.Application.Tests.StripeEvents;

/// <summary>The effect of each event family on the account, through the whole pipeline (ingest, queue, processor).</summary>
public sealed class SubscriptionEventHandlingTests
{
    private const string Account = "user-7";
    private readonly WebhookWorld _world = new();

    private FakeStripe Stripe => _world.Stripe;

    [Fact]
    public async Task A_new_subscription_of_an_account_whose_live_one_stripe_no_longer_has_ends_that_one_and_is_applied()
    {
        var customer = Stripe.CreateCustomer(Account);
        var gone = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        Stripe.Forget(gone); // test data deleted: no event
        var next = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);

        await _world.DeliverNewEventsAsync();

        var account = _world.Account(Account);
        Assert.Equal((next.Id, SubscriptionStatus.Active), (account.Subscription!.SubscriptionId, account.Subscription.Status));
        Assert.Equal("BASIC", _world.Entitlements.Evaluate(account, _world.Time.GetUtcNow()).Plan.Code.Value);
        Assert.All(Stripe.Events.Where(e => e.SubscriptionId == next.Id), e => Assert.Equal(StripeEventStatus.Applied, _world.Events.Get(e.Id).Status));
    }

    [Fact]
    public async Task An_event_about_the_live_subscription_read_with_a_key_of_another_stripe_account_fails_ends_nothing_and_applies_when_replayed_with_the_right_key()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        Stripe.PayLatestInvoice(subscription);
        Stripe.KeyOfAnotherAccount = true; // the app's key reads another Stripe account: every id is "no such"
        var writes = _world.Accounts.Writes;
        var eventId = Stripe.Events[^1].Id;

        // Not final: retried, then kept in the poison queue for a replay, never marked ignored with nothing applied
        await Assert.ThrowsAsync<PaymentProviderException>(() => _world.DeliverNewEventsAsync());

        var record = _world.Events.Get(eventId);
        Assert.Equal(StripeEventStatus.Failed, record.Status);
        Assert.Contains("another Stripe account", record.Note, StringComparison.Ordinal);
        var account = _world.Account(Account);
        Assert.Equal((subscription.Id, SubscriptionStatus.Active), (account.Subscription!.SubscriptionId, account.Subscription.Status));
        Assert.Equal("PRO", _world.Entitlements.Evaluate(account, _world.Time.GetUtcNow()).Plan.Code.Value);
        Assert.Equal(writes, _world.Accounts.Writes);

        Stripe.KeyOfAnotherAccount = false;
        await _world.ReplayAsync(eventId);

        Assert.Equal(StripeEventStatus.Applied, _world.Events.Get(eventId).Status);
    }

    [Fact]
    public async Task A_new_subscriptions_events_read_with_a_key_of_another_stripe_account_fail_and_apply_when_replayed_with_the_right_key()
    {
        var customer = Stripe.CreateCustomer(Account);
        Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        Stripe.KeyOfAnotherAccount = true; // the key changed after the customer paid: every id is "no such"

        await Assert.ThrowsAsync<PaymentProviderException>(() => _world.DeliverNewEventsAsync());

        var failed = _world.Events.All.Where(e => e.Status == StripeEventStatus.Failed).ToList();
        Assert.NotEmpty(failed); // not ignored for good: the subscription is not the live one, but the customer is unknown too
        Assert.All(failed, e => Assert.Contains("another Stripe account", e.Note, StringComparison.Ordinal));
        Assert.Equal("FREE", _world.Entitlements.Evaluate(_world.Account(Account), _world.Time.GetUtcNow()).Plan.Code.Value);

        Stripe.KeyOfAnotherAccount = false;
        foreach (var record in failed)
        {
            await _world.ReplayAsync(record.Id);
        }

        await _world.ProcessQueueAsync(); // the deliveries queued behind the failure
        var account = _world.Account(Account);
        Assert.Equal(SubscriptionStatus.Active, account.Subscription!.Status);
        Assert.Equal("PRO", _world.Entitlements.Evaluate(account, _world.Time.GetUtcNow()).Plan.Code.Value);
    }

    [Fact]
    public async Task Checkout_completion_links_the_customer_and_puts_the_account_on_the_paid_plan()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly, metadataOnSubscription: false);

        await _world.DeliverNewEventsAsync();

        var account = _world.Account(Account);
        Assert.Equal(customer, account.StripeCustomerId);
        Assert.Equal(AccountId.Parse(Account), _world.Links.All[customer]);
        Assert.Equal(subscription.Id, account.Subscription!.SubscriptionId);
        Assert.Equal(SubscriptionStatus.Active, account.Subscription.Status);
        var entitlement = _world.Entitlements.Evaluate(account, _world.Time.GetUtcNow());
        Assert.Equal("PRO", entitlement.Plan.Code.Value);
        Assert.Equal(EntitlementSource.Subscription, entitlement.Source);
        Assert.Equal(UsagePeriodKeyOf(subscription.PeriodStart), entitlement.PeriodKey.Value);
        Assert.Equal(StripeEventStatus.Applied, _world.Events.Get(Stripe.Events.Single(e => e.Type == "checkout.session.completed").Id).Status);
        Assert.Equal(StripeEventStatus.Ignored, _world.Events.Get(Stripe.Events.Single(e => e.Type == "customer.created").Id).Status);
    }

    [Fact]
    public async Task A_checkout_completion_whose_subscription_is_not_applied_yet_keeps_the_session_as_the_open_checkout()
    {
        var customer = Stripe.CreateCustomer(Account);
        var accountId = AccountId.Parse(Account);
        await _world.Links.LinkAsync(customer, accountId, CancellationToken.None);
        await _world.Accounts.GetOrCreateAsync(accountId, CancellationToken.None);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        var completed = Stripe.Events.Single(e => e.Type == "checkout.session.completed");
        await _world.Accounts.UpdateAsync(accountId, a => a.AssignStripeCustomer(customer).Account.RememberCheckout(new OpenCheckout
        {
            SessionId = completed.ObjectId!,
            Url = new Uri("https://checkout.stripe.test/c/" + completed.ObjectId),
            PlanCode = PlanCode.Parse("PRO"),
            Interval = BillingInterval.Month,
            PriceId = TestCatalog.ProMonthly,
            ExpiresAt = _world.Time.GetUtcNow().AddHours(24),
        }), CancellationToken.None);
        Stripe.Outage = new PaymentProviderException("Could not read the subscription: Stripe could not be reached.") { IsTransient = true };

        await _world.DeliverAsync(completed);
        await Assert.ThrowsAsync<PaymentProviderException>(() => _world.ProcessQueueAsync());

        // Paid, but not on the account yet: a Checkout on other terms must still find the session (and refuse), not sell a second subscription.
        var account = _world.Account(Account);
        Assert.Null(account.Subscription);
        Assert.Equal(completed.ObjectId, account.OpenCheckout?.SessionId);

        Stripe.Outage = null;
        await _world.ReplayAsync(completed.Id);

        account = _world.Account(Account);
        Assert.Equal(subscription.Id, account.Subscription!.SubscriptionId);
        Assert.Null(account.OpenCheckout);
    }

    [Fact]
    public async Task A_late_event_about_a_subscription_that_ended_long_ago_leaves_the_one_that_ended_last_on_the_account()
    {
        var customer = Stripe.CreateCustomer(Account);
        var older = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);
        await _world.DeliverNewEventsAsync();
        Stripe.CancelNow(older);
        await _world.DeliverNewEventsAsync();
        _world.Time.Advance(TimeSpan.FromDays(200));
        var latest = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        _world.Time.Advance(TimeSpan.FromDays(10));
        Stripe.CancelNow(latest);
        await _world.DeliverNewEventsAsync();
        var endedLast = _world.Account(Account).Subscription!;
        _world.Time.Advance(TimeSpan.FromHours(1));

        Stripe.PayLatestInvoice(older); // the old subscription's open invoice paid late, from its e-mail
        await _world.DeliverNewEventsAsync();

        var account = _world.Account(Account);
        Assert.Equal(endedLast, account.Subscription); // not the older one's plan and dates on the billing page
        var paidLate = _world.Events.Get(Stripe.Events[^1].Id);
        Assert.Equal((StripeEventStatus.Ignored, AccountId.Parse(Account)), (paidLate.Status, paidLate.AccountId)); // in the account's history for the operator
    }

    [Fact]
    public async Task A_subscription_event_for_an_unknown_customer_is_ignored_and_checkout_completion_catches_up_later()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly, metadataOnSubscription: false);
        var created = Stripe.Events.Single(e => e.Type == "customer.subscription.created");

        await _world.DeliverAsync(created);
        await _world.ProcessQueueAsync();

        var record = _world.Events.Get(created.Id);
        Assert.Equal(StripeEventStatus.Ignored, record.Status);
        Assert.Contains("not linked", record.Note, StringComparison.Ordinal);
        Assert.Null(await _world.Accounts.GetAsync(AccountId.Parse(Account), CancellationToken.None));

        await _world.DeliverNewEventsAsync();
        Assert.Equal(subscription.Id, _world.Account(Account).Subscription!.SubscriptionId);
    }

    [Theory]
    [InlineData("customer.subscription.created")]
    [InlineData("invoice.paid")]
    public async Task A_subscription_event_of_a_customer_not_linked_yet_is_applied_to_the_account_its_metadata_names_and_links_it(string type)
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly); // account_id metadata on the subscription
        var first = Stripe.Events.Single(e => e.Type == type);

        await _world.DeliverAsync(first); // before the checkout completion
        await _world.ProcessQueueAsync();

        Assert.Equal(StripeEventStatus.Applied, _world.Events.Get(first.Id).Status);
        Assert.Equal(AccountId.Parse(Account), _world.Links.All[customer]);
        Assert.Equal(subscription.Id, _world.Account(Account).Subscription!.SubscriptionId);
    }

    [Fact]
    public async Task Renewal_moves_the_usage_period_so_counters_roll_over()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        var firstPeriod = _world.Entitlements.Evaluate(_world.Account(Account), _world.Time.GetUtcNow()).PeriodKey;

        Stripe.Renew(subscription);
        await _world.DeliverNewEventsAsync();

        var account = _world.Account(Account);
        var secondPeriod = _world.Entitlements.Evaluate(account, _world.Time.GetUtcNow()).PeriodKey;
        Assert.NotEqual(firstPeriod, secondPeriod);
        Assert.Equal(UsagePeriodKeyOf(subscription.PeriodStart), secondPeriod.Value);
        Assert.Equal(subscription.LatestInvoiceId, account.Subscription!.LatestInvoiceId);
    }

    [Fact]
    public async Task A_failed_payment_keeps_the_plan_through_the_grace_period_then_falls_back_to_free_until_paid()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();

        Stripe.Renew(subscription, FakeStripe.Payment.Fails);
        await _world.DeliverNewEventsAsync();

        var account = _world.Account(Account);
        Assert.Equal(SubscriptionStatus.PastDue, account.Subscription!.Status);
        var since = account.Subscription.PastDueSince!.Value;
        var grace = TimeSpan.FromDays(7);
        Assert.Equal(EntitlementSource.GracePeriod, _world.Entitlements.Evaluate(account, since + grace - TimeSpan.FromMinutes(1)).Source);
        Assert.Equal("PRO", _world.Entitlements.Evaluate(account, since + grace - TimeSpan.FromMinutes(1)).Plan.Code.Value);
        Assert.Equal("FREE", _world.Entitlements.Evaluate(account, since + grace).Plan.Code.Value);

        // Delivered again later: past_due since stays where it was.
        foreach (var stripeEvent in Stripe.Events.Where(e => e.Type == "invoice.payment_failed"))
        {
            Assert.Equal(Billing.Application.StripeEvents.Ingest.StripeEventIngestOutcome.DuplicateAlreadyProcessed, await _world.DeliverAsync(stripeEvent));
        }

        Stripe.Renew(subscription, FakeStripe.Payment.Fails); // another failure: still the first past_due moment
        await _world.DeliverNewEventsAsync();
        Assert.Equal(since, _world.Account(Account).Subscription!.PastDueSince);

        Stripe.PayLatestInvoice(subscription);
        await _world.DeliverNewEventsAsync();
        account = _world.Account(Account);
        Assert.Equal(SubscriptionStatus.Active, account.Subscription!.Status);
        Assert.Null(account.Subscription.PastDueSince);
        Assert.Equal("PRO", _world.Entitlements.Evaluate(account, since + grace + TimeSpan.FromDays(1)).Plan.Code.Value);
    }

    [Fact]
    public async Task A_late_event_of_an_older_ended_subscription_on_an_account_whose_subscription_ended_reads_only_that_subscription()
    {
        // A live replacement is looked for (one listing of the customer's subscriptions) only when the subscription
        // synced is the account's own and it is over: an older one's event leaves the account's subscription as it was.
        var customer = Stripe.CreateCustomer(Account);
        var older = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        Stripe.CancelNow(older);
        var current = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);
        Stripe.CancelNow(current);
        await _world.DeliverNewEventsAsync();
        var (reads, before) = (Stripe.Reads, _world.Account(Account));

        Stripe.SetCancelAtPeriodEnd(older, true); // customer.subscription.updated of the older one, after both ended
        await _world.DeliverNewEventsAsync();

        Assert.Equal(reads + 1, Stripe.Reads); // the older subscription, read again
        Assert.Equal(before.Subscription, _world.Account(Account).Subscription);
        Assert.Equal(current.Id, before.Subscription!.SubscriptionId);
    }

    [Fact]
    public async Task A_finalized_renewal_invoice_is_acknowledged_without_reading_the_subscription()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        var (reads, before) = (Stripe.Reads, _world.Account(Account));

        Stripe.FinalizeLatestInvoice(subscription); // every renewal is finalized; only a usage invoice's run follows it
        await _world.DeliverNewEventsAsync();

        var finalized = _world.Events.Get(Stripe.Events.Single(e => e.Type == "invoice.finalized").Id);
        Assert.Equal(StripeEventStatus.Ignored, finalized.Status);
        Assert.Equal(reads, Stripe.Reads);
        Assert.Equal(before.Version, _world.Account(Account).Version);
    }

    [Fact]
    public async Task Cancel_at_period_end_keeps_access_until_the_period_ends_then_free()
    {
        var (_, subscription) = await ProCancellingAtPeriodEndAsync();

        var account = _world.Account(Account);
        Assert.True(account.Subscription!.CancelAtPeriodEnd);
        Assert.Equal("PRO", _world.Entitlements.Evaluate(account, subscription.PeriodEnd.AddSeconds(-1)).Plan.Code.Value);
        Assert.Equal("FREE", _world.Entitlements.Evaluate(account, subscription.PeriodEnd).Plan.Code.Value);

        Stripe.EndCancelledPeriod(subscription);
        await _world.DeliverNewEventsAsync();
        account = _world.Account(Account);
        Assert.Equal(SubscriptionStatus.Canceled, account.Subscription!.Status);
        Assert.Equal("FREE", _world.Entitlements.Evaluate(account, _world.Time.GetUtcNow()).Plan.Code.Value);
    }

    [Fact]
    public async Task Upgrade_and_downgrade_move_the_quotas_as_Stripe_says()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);
        await _world.DeliverNewEventsAsync();
        Assert.Equal(500, Quota());

        Stripe.ChangePrice(subscription, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        Assert.Equal(1_000, Quota());

        Stripe.ChangePrice(subscription, TestCatalog.BasicMonthly);
        await _world.DeliverNewEventsAsync();
        Assert.Equal(500, Quota());
    }

    [Fact]
    public async Task Events_delivered_in_reverse_still_end_in_stripes_current_state()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);
        Stripe.ChangePrice(subscription, TestCatalog.ProMonthly);
        Stripe.Renew(subscription, FakeStripe.Payment.Fails);
        Stripe.PayLatestInvoice(subscription);
        Stripe.SetCancelAtPeriodEnd(subscription, true);

        await _world.DeliverNewEventsAsync(reverse: true);

        var stored = _world.Account(Account).Subscription!;
        Assert.Equal(TestCatalog.ProMonthly, stored.PriceId);
        Assert.Equal(SubscriptionStatus.Active, stored.Status);
        Assert.True(stored.CancelAtPeriodEnd);
        Assert.Equal(subscription.PeriodStart, stored.CurrentPeriodStart);
        Assert.Null(stored.PastDueSince);
    }

    [Fact]
    public async Task A_new_subscription_after_cancelling_replaces_the_old_one_whichever_event_comes_first()
    {
        var customer = Stripe.CreateCustomer(Account);
        var first = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        Stripe.CancelNow(first);
        var deleted = Stripe.Events[^1];
        var second = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);
        var secondEvents = Stripe.Events.Where(e => e.SubscriptionId == second.Id).ToList();

        // The new subscription's events first, while the account still shows the old one as active.
        foreach (var stripeEvent in secondEvents)
        {
            await _world.DeliverAsync(stripeEvent);
        }

        await _world.ProcessQueueAsync();
        Assert.Equal(second.Id, _world.Account(Account).Subscription!.SubscriptionId);

        await _world.DeliverAsync(deleted);
        await _world.ProcessQueueAsync();
        Assert.Equal(second.Id, _world.Account(Account).Subscription!.SubscriptionId);
        Assert.Contains("does not outrank", _world.Events.Get(deleted.Id).Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_current_subscription_ends_a_live_one_of_the_same_customer_takes_its_place()
    {
        var customer = Stripe.CreateCustomer(Account);
        var first = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        var second = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly, trialDays: 14);
        Stripe.CancelNow(first); // canceled in Stripe before any event arrives

        await _world.DeliverNewEventsAsync();

        Assert.Equal(second.Id, _world.Account(Account).Subscription!.SubscriptionId);
        Assert.Empty(_world.Account(Account).DuplicateSubscriptions);
        Assert.Empty(Stripe.Refunds);
    }

    [Fact]
    public async Task Of_two_live_replacements_the_one_the_duplicate_rule_keeps_takes_the_place_and_the_account_never_switches_again()
    {
        var customer = Stripe.CreateCustomer(Account);
        var first = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        var older = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);
        var newer = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicYearly);
        Stripe.CancelNow(first);
        var deleted = Stripe.Events[^1];

        await _world.DeliverAsync(deleted); // the old one's end first: the account adopts a live one of the customer
        await _world.ProcessQueueAsync();
        Assert.Equal(older.Id, _world.Account(Account).Subscription!.SubscriptionId);

        await _world.DeliverNewEventsAsync();

        var account = _world.Account(Account);
        Assert.Equal(older.Id, account.Subscription!.SubscriptionId);
        Assert.Equal((SubscriptionStatus.Active, SubscriptionStatus.Canceled), (older.Status, newer.Status));
        Assert.Equal(newer.Id, Assert.Single(account.DuplicateSubscriptions).SubscriptionId);
    }

    [Fact]
    public async Task A_second_live_subscription_is_canceled_at_once_refunded_in_full_and_recorded()
    {
        var customer = Stripe.CreateCustomer(Account);
        var first = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        var second = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);

        await _world.DeliverNewEventsAsync();

        var account = _world.Account(Account);
        Assert.Equal(first.Id, account.Subscription!.SubscriptionId);
        Assert.Equal(SubscriptionStatus.Canceled, second.Status);
        Assert.Equal(SubscriptionStatus.Active, first.Status);
        Assert.Equal(FakeStripe.InvoiceAmount, Assert.Single(Stripe.Refunds, r => r.Key == second.Id).Value);
        var record = Assert.Single(account.DuplicateSubscriptions);
        Assert.Equal((second.Id, first.Id, FakeStripe.InvoiceAmount), (record.SubscriptionId, record.KeptSubscriptionId, record.Refunded!.Value));
        Assert.All(_world.Events.All, e => Assert.True(e.Status.IsFinal()));
        Assert.All(_world.Events.All.Where(e => e.Type == "checkout.session.completed"), e => Assert.Equal(StripeEventStatus.Applied, e.Status)); // the one that resolved the duplicate too
    }

    [Fact]
    public async Task A_second_subscription_Stripe_no_longer_has_is_no_duplicate_to_resolve_and_nothing_is_refunded_or_canceled()
    {
        var customer = Stripe.CreateCustomer(Account);
        var first = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        var second = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);
        var read = (await Stripe.GetSubscriptionAsync(second.Id, CancellationToken.None))!; // read live, then Stripe no longer has it
        Stripe.Forget(second);

        var result = await _world.Sync.ApplyAsync(AccountId.Parse(Account), read, CancellationToken.None);

        Assert.Equal(Billing.Application.Subscriptions.SubscriptionSyncOutcome.ConflictsWithLiveSubscription, result.Outcome);
        Assert.Empty(Stripe.Refunds);
        Assert.Equal(SubscriptionStatus.Active, first.Status);
        var account = _world.Account(Account);
        Assert.Equal(first.Id, account.Subscription!.SubscriptionId);
        Assert.Empty(account.DuplicateSubscriptions);
    }

    [Fact]
    public async Task A_stalled_read_of_a_subscription_canceled_since_never_refunds_or_cancels_the_one_that_replaced_it()
    {
        var customer = Stripe.CreateCustomer(Account);
        var first = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        var stalled = (await Stripe.GetSubscriptionAsync(first.Id, CancellationToken.None))!; // a worker reads it live, then stalls
        Stripe.CancelNow(first);
        var second = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);
        await _world.DeliverNewEventsAsync();
        Assert.Equal(second.Id, _world.Account(Account).Subscription!.SubscriptionId);

        await _world.Sync.ApplyAsync(AccountId.Parse(Account), stalled, CancellationToken.None); // the stalled worker goes on

        Assert.Empty(Stripe.Refunds);
        Assert.Equal(SubscriptionStatus.Active, second.Status);
        var account = _world.Account(Account);
        Assert.Equal(second.Id, account.Subscription!.SubscriptionId);
        Assert.Empty(account.DuplicateSubscriptions);
    }

    [Fact]
    public async Task An_event_whose_read_of_stripe_is_older_than_the_one_the_account_holds_is_applied_the_newer_read_covers_it()
    {
        var (world, faults) = StallingWorld();
        var customer = world.Stripe.CreateCustomer(Account);
        var subscription = world.Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await world.DeliverNewEventsAsync();
        world.Stripe.SetCancelAtPeriodEnd(subscription, cancel: true);
        var updated = world.Stripe.Events[^1];
        await world.DeliverAsync(updated);

        // The worker reads the subscription, then stalls while another worker reads it a minute later and stores that
        await ProcessStalledAfterItsFirstStripeReadAsync(world, faults, async () =>
        {
            world.Time.Advance(TimeSpan.FromMinutes(1));
            await world.Sync.SyncAsync(AccountId.Parse(Account), subscription.Id, CancellationToken.None);
        });

        Assert.Equal(StripeEventStatus.Applied, world.Events.Get(updated.Id).Status); // what it announced is in the account
        Assert.True(world.Account(Account).Subscription!.CancelAtPeriodEnd);
    }

    [Fact]
    public async Task An_event_about_a_second_live_subscription_that_vanishes_from_stripe_before_it_is_settled_is_ignored_with_the_operators_remedy()
    {
        var (world, faults) = StallingWorld();
        var customer = world.Stripe.CreateCustomer(Account);
        var first = world.Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await world.DeliverNewEventsAsync();
        var second = world.Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);
        var completed = world.Stripe.Events.Single(e => e.Type == "checkout.session.completed" && e.SubscriptionId == second.Id);
        await world.DeliverAsync(completed);

        await ProcessStalledAfterItsFirstStripeReadAsync(world, faults, () =>
        {
            world.Stripe.Forget(second); // read live, then Stripe no longer has it: the conflict cannot be settled
            return Task.CompletedTask;
        });

        var record = world.Events.Get(completed.Id);
        Assert.Equal(StripeEventStatus.Ignored, record.Status); // nothing applied: not marked as if it had been
        Assert.Contains("both live in Stripe; cancel one, then re-sync the account", record.Note, StringComparison.Ordinal);
        Assert.Equal(first.Id, world.Account(Account).Subscription!.SubscriptionId);
        Assert.Empty(world.Stripe.Refunds);
    }

    [Fact]
    public async Task A_subscription_cancelling_at_period_end_stands_against_a_new_Checkout_until_that_instant_not_at_it()
    {
        var (_, first) = await ProCancellingAtPeriodEndAsync();

        _world.Time.SetUtcNow(first.PeriodEnd.AddTicks(-1));
        Assert.True(Billing.Application.Checkout.CheckoutEligibility.HasStandingSubscription(_world.Account(Account), _world.Time.GetUtcNow()));
        _world.Time.SetUtcNow(first.PeriodEnd); // a period's end is its first instant without access
        Assert.False(Billing.Application.Checkout.CheckoutEligibility.HasStandingSubscription(_world.Account(Account), _world.Time.GetUtcNow()));
    }

    [Fact]
    public async Task A_new_subscription_after_a_cancellation_whose_date_passed_is_kept_while_Stripe_has_not_ended_the_old_one_yet()
    {
        var (customer, first) = await ProCancellingAtPeriodEndAsync();
        _world.Time.SetUtcNow(first.PeriodEnd.AddMinutes(5)); // past the cancellation; Stripe's cancel has not run yet
        Assert.False(Billing.Application.Checkout.CheckoutEligibility.HasStandingSubscription(_world.Account(Account), _world.Time.GetUtcNow()));

        var second = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);
        await _world.DeliverNewEventsAsync();
        Stripe.EndCancelledPeriod(first);
        await _world.DeliverNewEventsAsync();

        var account = _world.Account(Account);
        Assert.Equal((second.Id, SubscriptionStatus.Active), (account.Subscription!.SubscriptionId, second.Status));
        Assert.Empty(Stripe.Refunds);
        Assert.Empty(account.DuplicateSubscriptions);
        Assert.Equal("BASIC", _world.Entitlements.Evaluate(account, _world.Time.GetUtcNow()).Plan.Code.Value);
    }

    [Theory]
    [InlineData("created later", false)]
    [InlineData("older period starts later", false)] // the older one's billing anchor reset since: its period starts later, it is still the older
    [InlineData("created at the same second", false)] // the id settles the tie: the greater goes
    [InlineData("creation time unknown", true)] // the period start orders them: the older one's starts later now
    public async Task The_subscription_created_later_goes_even_when_its_events_arrive_first(string situation, bool olderGoes)
    {
        var customer = Stripe.CreateCustomer(Account);
        var first = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        var firstEvents = Stripe.Events.Count;
        var second = Stripe.CompleteCheckout(Account, customer, TestCatalog.BasicMonthly);
        if (situation is "older period starts later" or "creation time unknown")
        {
            _world.Time.Advance(TimeSpan.FromHours(1));
            (first.PeriodStart, first.PeriodEnd) = (_world.Time.GetUtcNow(), _world.Time.GetUtcNow().AddMonths(1));
        }

        if (situation is "created at the same second")
        {
            first.Created = second.Created;
        }

        if (situation is "creation time unknown")
        {
            (first.Created, second.Created) = (null, null);
        }

        foreach (var stripeEvent in Stripe.Events.Skip(firstEvents).Concat(Stripe.Events.Take(firstEvents)).ToList())
        {
            await _world.DeliverAsync(stripeEvent);
        }

        await _world.ProcessQueueAsync();
        await _world.DeliverNewEventsAsync();

        var (kept, gone) = olderGoes ? (second, first) : (first, second);
        Assert.Equal(kept.Id, _world.Account(Account).Subscription!.SubscriptionId);
        Assert.Equal(SubscriptionStatus.Canceled, gone.Status);
        Assert.Equal(gone.Id, Assert.Single(_world.Account(Account).DuplicateSubscriptions).SubscriptionId);
    }

    [Fact]
    public async Task Deleting_the_customer_ends_the_subscription()
    {
        var customer = Stripe.CreateCustomer(Account);
        Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        Stripe.DeleteCustomer(customer);
        var customerDeleted = Stripe.Events[^1];

        // Only the customer.deleted event arrives (the subscription's own event is lost).
        await _world.DeliverAsync(customerDeleted);
        await _world.ProcessQueueAsync();

        var account = _world.Account(Account);
        Assert.Equal(StripeEventStatus.Applied, _world.Events.Get(customerDeleted.Id).Status);
        Assert.Equal(SubscriptionStatus.Canceled, account.Subscription!.Status);
        Assert.Equal("FREE", _world.Entitlements.Evaluate(account, _world.Time.GetUtcNow()).Plan.Code.Value);
        Assert.Null(account.StripeCustomerId);
        Assert.Equal(1, account.CustomerGeneration);
        Assert.Equal([customer], account.FormerStripeCustomerIds);
    }

    [Fact]
    public async Task A_customer_deletion_read_with_a_key_of_another_stripe_account_fails_and_forgets_nothing_until_replayed_with_the_right_key()
    {
        var customer = Stripe.CreateCustomer(Account);
        Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        Stripe.DeleteCustomer(customer);
        var customerDeleted = Stripe.Events[^1];
        Stripe.KeyOfAnotherAccount = true;

        await _world.DeliverAsync(customerDeleted);
        await Assert.ThrowsAsync<PaymentProviderException>(() => _world.ProcessQueueAsync());

        var during = _world.Account(Account);
        Assert.Equal(StripeEventStatus.Failed, _world.Events.Get(customerDeleted.Id).Status);
        Assert.Equal((SubscriptionStatus.Active, customer), (during.Subscription!.Status, during.StripeCustomerId)); // not forgotten

        Stripe.KeyOfAnotherAccount = false;
        await _world.ReplayAsync(customerDeleted.Id);

        var account = _world.Account(Account);
        Assert.Equal(StripeEventStatus.Applied, _world.Events.Get(customerDeleted.Id).Status);
        Assert.Equal(SubscriptionStatus.Canceled, account.Subscription!.Status);
        Assert.Null(account.StripeCustomerId);
    }

    [Fact]
    public async Task After_the_customer_was_deleted_a_new_customers_checkout_is_adopted_whatever_the_order()
    {
        var old = Stripe.CreateCustomer(Account);
        var ended = Stripe.CompleteCheckout(Account, old, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        var delivered = Stripe.Events.Count;
        Stripe.DeleteCustomer(old);
        var fresh = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, fresh, TestCatalog.BasicMonthly);

        await _world.DeliverNewEventsAsync(reverse: true);

        var account = _world.Account(Account);
        Assert.Equal(fresh, account.StripeCustomerId);
        Assert.Equal(subscription.Id, account.Subscription!.SubscriptionId);
        Assert.Equal([old], account.FormerStripeCustomerIds);
        var lastOfTheOld = _world.Events.Get(Stripe.Events.Skip(delivered).Single(e => e.SubscriptionId == ended.Id).Id); // delivered last
        Assert.Equal(StripeEventStatus.Ignored, lastOfTheOld.Status);
        Assert.Contains("belongs to another Stripe customer", lastOfTheOld.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_of_the_other_stripe_mode_is_recorded_and_never_processed()
    {
        var customer = Stripe.CreateCustomer(Account);
        Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        var live = Stripe.Events.Select(e => WebhookWorld.ToDelivery(e) with { Livemode = true }).ToList();

        foreach (var delivery in live)
        {
            await _world.Ingest.IngestAsync(delivery, CancellationToken.None);
        }

        await _world.ProcessQueueAsync();

        Assert.All(_world.Events.All, e =>
        {
            Assert.Equal(StripeEventStatus.IgnoredLivemodeMismatch, e.Status);
            Assert.Equal(0, e.Attempts);
        });
        Assert.Null(await _world.Accounts.GetAsync(AccountId.Parse(Account), CancellationToken.None));
    }

    [Fact]
    public async Task A_completed_or_expired_checkout_is_no_longer_the_open_one()
    {
        var customer = Stripe.CreateCustomer(Account);
        await _world.DeliverNewEventsAsync();
        var id = AccountId.Parse(Account);
        await _world.Accounts.GetOrCreateAsync(id, CancellationToken.None);
        await _world.Accounts.UpdateAsync(id, a => a.AssignStripeCustomer(customer).Account.RememberCheckout(OpenCheckout("cs_open")), CancellationToken.None);

        var other = Stripe.ExpireCheckout("cs_other", customer, Account);
        var writes = _world.Accounts.Writes;
        await _world.DeliverAsync(other);
        await _world.ProcessQueueAsync();
        Assert.Equal("cs_open", _world.Account(Account).OpenCheckout?.SessionId);
        var record = _world.Events.Get(other.Id);
        Assert.Equal((StripeEventStatus.Ignored, "Checkout Session cs_other is not the account's open Checkout."), (record.Status, record.Note));
        Assert.Equal(0, _world.Accounts.Writes - writes);

        var open = Stripe.ExpireCheckout("cs_open", customer, Account);
        await _world.DeliverAsync(open);
        await _world.ProcessQueueAsync();
        Assert.Null(_world.Account(Account).OpenCheckout);
        Assert.Equal(StripeEventStatus.Applied, _world.Events.Get(open.Id).Status); // its effect is in the account
    }

    /// <summary>
    /// An expired Checkout whose account is unknown changes nothing and creates nothing: a customer linked to no account
    /// and no account named is ignored under no account with the resolver's reason; an account named that was never
    /// created is ignored under that account, its session not being the account's open Checkout.
    /// </summary>
    [Fact]
    public async Task An_expired_checkout_of_no_known_account_is_ignored_with_the_reason_and_writes_nothing()
    {
        var unlinked = Stripe.CreateCustomer(null);
        var ofNoAccount = Stripe.ExpireCheckout("cs_unlinked", unlinked, null);
        var ofAnAccountNeverCreated = Stripe.ExpireCheckout("cs_new", null, Account);

        await _world.DeliverAsync(ofNoAccount);
        await _world.DeliverAsync(ofAnAccountNeverCreated);
        await _world.ProcessQueueAsync();

        var (unlinkedRecord, newRecord) = (_world.Events.Get(ofNoAccount.Id), _world.Events.Get(ofAnAccountNeverCreated.Id));
        Assert.Equal(
            (StripeEventStatus.Ignored, $"Stripe customer {unlinked} is not linked to a billing account and the event names none.", (AccountId?)null),
            (unlinkedRecord.Status, unlinkedRecord.Note, unlinkedRecord.AccountId));
        Assert.Equal(
            (StripeEventStatus.Ignored, "Checkout Session cs_new is not the account's open Checkout.", (AccountId?)AccountId.Parse(Account)),
            (newRecord.Status, newRecord.Note, newRecord.AccountId));
        Assert.Equal(0, _world.Accounts.Writes);
        Assert.Null(await _world.Accounts.GetAsync(AccountId.Parse(Account), CancellationToken.None));
        Assert.Empty(_world.Links.All);
    }

    /// <summary>
    /// Each handler needs one id of the event's object (the subscription, the customer, the Checkout Session); an event
    /// without it is ignored with the reason, under no account, even though it names one: nothing is read from Stripe and
    /// nothing is written, so the account keeps its subscription, its customer and its open Checkout.
    /// </summary>
    [Theory]
    [InlineData("customer.subscription.updated", "subscription", "The event carries no subscription id.")]
    [InlineData("customer.deleted", "customer", "The event carries no customer id.")]
    [InlineData("checkout.session.expired", "checkout.session", "The event carries no Checkout Session id.")]
    public async Task An_event_without_the_id_its_handler_needs_is_ignored_with_the_reason_and_changes_nothing(string type, string objectType, string reason)
    {
        var customer = Stripe.CreateCustomer(Account);
        Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        var account = await _world.Accounts.UpdateAsync(AccountId.Parse(Account), a => a.RememberCheckout(OpenCheckout("cs_open")), CancellationToken.None);
        var (reads, writes) = (Stripe.Reads, _world.Accounts.Writes);

        var withoutIds = Stripe.RaiseWithoutIds(type, objectType, Account);
        await _world.DeliverAsync(withoutIds);
        await _world.ProcessQueueAsync();

        var record = _world.Events.Get(withoutIds.Id);
        Assert.Equal((StripeEventStatus.Ignored, reason, (AccountId?)null), (record.Status, record.Note, record.AccountId));
        Assert.Equal((reads, writes), (Stripe.Reads, _world.Accounts.Writes));
        Assert.Equal(account, _world.Account(Account));
        Assert.Equal([customer], _world.Links.All.Keys);
    }

    private static OpenCheckout OpenCheckout(string sessionId) => new()
    {
        SessionId = sessionId,
        Url = new Uri("https://checkout.stripe.test/" + sessionId),
        PlanCode = PlanCode.Parse("PRO"),
        Interval = BillingInterval.Month,
        PriceId = TestCatalog.ProMonthly,
        ExpiresAt = WebhookWorld.Start.AddDays(1),
    };

    [Fact]
    public async Task A_trial_checkout_is_trialing_on_the_plan_and_marks_the_trial_used()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly, trialDays: 14);
        await _world.DeliverNewEventsAsync();

        var account = _world.Account(Account);
        Assert.Equal(SubscriptionStatus.Trialing, account.Subscription!.Status);
        Assert.Equal(subscription.TrialStart, account.TrialUsedAt);
        Assert.Equal("PRO", _world.Entitlements.Evaluate(account, _world.Time.GetUtcNow()).Plan.Code.Value);

        Stripe.TrialWillEnd(subscription);
        Stripe.EndTrial(subscription);
        await _world.DeliverNewEventsAsync();
        Assert.Equal(SubscriptionStatus.Active, _world.Account(Account).Subscription!.Status);
    }

    [Fact]
    public async Task Invoices_without_a_subscription_and_payment_mode_sessions_are_recorded_and_ignored()
    {
        var customer = Stripe.CreateCustomer(Account);
        var oneOff = Stripe.PayOneOffInvoice(customer);
        Stripe.CompletePaymentCheckout(Account, customer);
        var session = Stripe.Events[^1];

        await _world.DeliverNewEventsAsync();

        Assert.Equal(StripeEventStatus.Ignored, _world.Events.Get(oneOff.Id).Status);
        var sessionRecord = _world.Events.Get(session.Id);
        Assert.Equal(StripeEventStatus.Ignored, sessionRecord.Status);
        Assert.Contains("Payment-mode", sessionRecord.Note, StringComparison.Ordinal);
        Assert.Equal(AccountId.Parse(Account), sessionRecord.AccountId);
        Assert.Equal(customer, _world.Account(Account).StripeCustomerId);
    }

    [Fact]
    public async Task Invoice_events_that_change_no_account_are_kept_under_the_linked_customers_account_for_the_operator()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        var usageInvoicePaid = Stripe.PayOneOffInvoice(customer); // a usage invoice is a one-off invoice of the customer
        Stripe.FinalizeLatestInvoice(subscription);
        var finalized = Stripe.Events[^1];
        var strangers = Stripe.PayOneOffInvoice(Stripe.CreateCustomer(null)); // a customer no account is linked to

        await _world.DeliverNewEventsAsync();

        Assert.Equal("invoice.finalized", finalized.Type);
        Assert.All([usageInvoicePaid, finalized], e => Assert.Equal((StripeEventStatus.Ignored, AccountId.Parse(Account)), (_world.Events.Get(e.Id).Status, _world.Events.Get(e.Id).AccountId)));
        Assert.Equal((StripeEventStatus.Ignored, (AccountId?)null), (_world.Events.Get(strangers.Id).Status, _world.Events.Get(strangers.Id).AccountId));
    }

    /// <summary>
    /// An invoice that changes no account is kept under the account its customer is linked to by a read only: an account
    /// it names does not link an unlinked customer (as a Checkout's or a subscription's event would).
    /// </summary>
    [Fact]
    public async Task An_invoice_that_changes_no_account_links_no_customer_to_the_account_it_names()
    {
        var paid = Stripe.PayOneOffInvoice(Stripe.CreateCustomer(null), accountReference: Account);

        await _world.DeliverAsync(paid);
        await _world.ProcessQueueAsync();

        Assert.Equal((StripeEventStatus.Ignored, (AccountId?)null), (_world.Events.Get(paid.Id).Status, _world.Events.Get(paid.Id).AccountId));
        Assert.Empty(_world.Links.All);
    }

    /// <summary>A deleted invoice (a draft) changes no account, whether or not it belongs to a subscription: Stripe is not read.</summary>
    [Fact]
    public async Task A_deleted_draft_of_a_subscription_is_acknowledged_without_reading_the_subscription()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        await _world.DeliverNewEventsAsync();
        var (reads, before) = (Stripe.Reads, _world.Account(Account));
        var deleted = Stripe.DeleteLatestInvoiceDraft(subscription);

        await _world.DeliverAsync(deleted);
        await _world.ProcessQueueAsync();

        Assert.Equal((StripeEventStatus.Ignored, (AccountId?)AccountId.Parse(Account)), (_world.Events.Get(deleted.Id).Status, _world.Events.Get(deleted.Id).AccountId));
        Assert.Equal(reads, Stripe.Reads);
        Assert.Equal(before.Version, _world.Account(Account).Version);
    }

    [Fact]
    public async Task A_customer_linked_to_another_account_is_not_moved_by_a_session_naming_a_different_account()
    {
        var customer = Stripe.CreateCustomer("owner-1");
        await _world.Links.LinkAsync(customer, AccountId.Parse("owner-1"), CancellationToken.None);
        Stripe.CompleteCheckout("intruder-2", customer, TestCatalog.ProMonthly);

        await _world.DeliverNewEventsAsync();

        Assert.Equal(AccountId.Parse("owner-1"), _world.Links.All[customer]);
        Assert.NotNull(_world.Account("owner-1").Subscription);
        Assert.Null(await _world.Accounts.GetAsync(AccountId.Parse("intruder-2"), CancellationToken.None));
    }

    /// <summary>A world whose workers can be stalled between two port calls (<see cref="ProcessStalledAfterItsFirstStripeReadAsync"/>).</summary>
    private static (WebhookWorld World, FaultPlan Faults) StallingWorld()
    {
        var faults = new FaultPlan(new Random(0)) { InterleaveProbability = 1 };
        return (new WebhookWorld(faults), faults);
    }

    /// <summary>Processes the queue; right after the worker's first read of Stripe, before its next port call, <paramref name="meanwhile"/> runs (another worker, a change in Stripe).</summary>
    private static async Task ProcessStalledAfterItsFirstStripeReadAsync(WebhookWorld world, FaultPlan faults, Func<Task> meanwhile)
    {
        var reads = world.Stripe.Reads;
        var stalled = false;
        faults.Interleave = async _ =>
        {
            if (!stalled && world.Stripe.Reads > reads)
            {
                stalled = true;
                await meanwhile();
            }
        };
        await faults.RunAttemptAsync(0, async () =>
        {
            await world.ProcessQueueAsync();
            return true;
        });
    }

    private long? Quota() =>
        _world.Entitlements.Evaluate(_world.Account(Account), _world.Time.GetUtcNow()).PolicyFor(Billing.Domain.Metering.MeterName.Parse("agent_runs")).Quota;

    private static string UsagePeriodKeyOf(DateTimeOffset periodStart) => Billing.Domain.Metering.UsagePeriodKey.ForSubscriptionPeriod(periodStart).Value;

    /// <summary>A PRO subscription from Checkout, set to cancel at its period end, its events delivered.</summary>
    private async Task<(string Customer, FakeStripeSubscription Subscription)> ProCancellingAtPeriodEndAsync()
    {
        var customer = Stripe.CreateCustomer(Account);
        var subscription = Stripe.CompleteCheckout(Account, customer, TestCatalog.ProMonthly);
        Stripe.SetCancelAtPeriodEnd(subscription, true);
        await _world.DeliverNewEventsAsync();
        return (customer, subscription);
    }
}
