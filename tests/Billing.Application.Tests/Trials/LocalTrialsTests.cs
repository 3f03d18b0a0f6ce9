using Billing.Application.Checkout;
using Billing.Application.Outcomes;
using Billing.Application.Tests.Fakes;
using Billing.Application.Trials;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Application.Tests.Trials;

public sealed class LocalTrialsTests
{
    private readonly AccountsTestBed _bed = new();
    private readonly AccountId _id = AccountsTestBed.NewAccountId();

    [Fact]
    public async Task Starts_the_trial_plan_for_its_configured_length_and_creates_the_account()
    {
        var outcome = await _bed.Trials.StartAsync(_id, CancellationToken.None);

        var trial = Assert.IsType<Succeeded<StartedTrial>>(outcome).Value;
        Assert.Equal("TRIAL", trial.Plan.Code.Value);
        Assert.Equal(AccountsTestBed.Start, trial.StartedAt);
        Assert.Equal(AccountsTestBed.Start.AddDays(TestCatalog.LocalTrialDays), trial.EndsAt);
        var stored = await _bed.Accounts.GetAsync(_id, CancellationToken.None);
        Assert.Equal(AccountsTestBed.Start, stored!.TrialUsedAt);
        Assert.Equal(EntitlementSource.LocalTrial, (await _bed.Overview.GetAsync(_id, CancellationToken.None)).Entitlement.Source);
    }

    [Fact]
    public async Task Is_refused_when_the_open_checkout_granting_stripes_trial_was_already_completed()
    {
        var checkout = Assert.IsType<Succeeded<StartedCheckout>>(await _bed.Checkout.StartAsync(_id, new StartCheckout { Plan = "basic", Interval = "year" }, CancellationToken.None)).Value;
        Assert.NotNull(checkout.TrialDays);
        _bed.Gateway.CompletedSessions[checkout.SessionId] = true; // Stripe's trial began; its checkout.session.completed not processed yet

        var outcome = await _bed.Trials.StartAsync(_id, CancellationToken.None);

        Assert.Equal(RefusalReason.TrialAlreadyUsed, Assert.IsType<Refused<StartedTrial>>(outcome).Refusal.Reason);
        var stored = (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!;
        Assert.Null(stored.LocalTrial);
        Assert.Equal(checkout.SessionId, stored.OpenCheckout?.SessionId);
    }

    [Fact]
    public async Task A_second_trial_is_refused_while_running_and_after_it_ended()
    {
        await _bed.Trials.StartAsync(_id, CancellationToken.None);
        var writes = _bed.Accounts.Writes;

        var whileRunning = await _bed.Trials.StartAsync(_id, CancellationToken.None);
        _bed.Time.Advance(TimeSpan.FromDays(TestCatalog.LocalTrialDays + 1));
        var afterEnd = await _bed.Trials.StartAsync(_id, CancellationToken.None);

        Assert.Equal(RefusalReason.TrialAlreadyUsed, Assert.IsType<Refused<StartedTrial>>(whileRunning).Refusal.Reason);
        Assert.Equal(RefusalReason.TrialAlreadyUsed, Assert.IsType<Refused<StartedTrial>>(afterEnd).Refusal.Reason);
        Assert.Equal(writes, _bed.Accounts.Writes);
    }

    [Fact]
    public async Task The_trial_ends_by_time_without_any_webhook()
    {
        await _bed.Trials.StartAsync(_id, CancellationToken.None);

        _bed.Time.Advance(TimeSpan.FromDays(TestCatalog.LocalTrialDays));

        var summary = await _bed.Overview.GetAsync(_id, CancellationToken.None);
        Assert.Equal(EntitlementSource.Free, summary.Entitlement.Source);
        Assert.False(summary.TrialAvailable);
    }

    [Fact]
    public async Task Refused_after_a_cancelled_Stripe_subscription_that_had_a_trial()
    {
        var now = _bed.Time.GetUtcNow();
        _bed.Seed(_id, a => _bed.WithSubscription(
            AccountsTestBed.WithCustomer(a),
            SubscriptionStatus.Canceled,
            s => s with { TrialStart = now.AddDays(-20), TrialEnd = now.AddDays(-6), CanceledAt = now.AddDays(-2), EndedAt = now.AddDays(-2) }));

        var outcome = await _bed.Trials.StartAsync(_id, CancellationToken.None);

        Assert.Equal(RefusalReason.TrialAlreadyUsed, Assert.IsType<Refused<StartedTrial>>(outcome).Refusal.Reason);
    }

    [Fact]
    public async Task Refused_while_a_subscription_is_live_and_nothing_is_written()
    {
        _bed.Seed(_id, a => _bed.WithSubscription(AccountsTestBed.WithCustomer(a), SubscriptionStatus.Active));

        var outcome = await _bed.Trials.StartAsync(_id, CancellationToken.None);

        Assert.Equal(RefusalReason.SubscriptionLive, Assert.IsType<Refused<StartedTrial>>(outcome).Refusal.Reason);
        Assert.Equal(0, _bed.Accounts.Writes);
    }

    [Fact]
    public async Task Refused_when_no_trial_is_offered_and_no_account_is_created()
    {
        var bed = new AccountsTestBed(withTrialPlan: false);

        var outcome = await bed.Trials.StartAsync(_id, CancellationToken.None);

        Assert.Equal(RefusalReason.TrialNotOffered, Assert.IsType<Refused<StartedTrial>>(outcome).Refusal.Reason);
        Assert.Null(await bed.Accounts.GetAsync(_id, CancellationToken.None));
    }

    [Fact]
    public async Task Racing_requests_start_exactly_one_trial()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => _bed.Trials.StartAsync(_id, CancellationToken.None))));

        Assert.Single(outcomes.OfType<Succeeded<StartedTrial>>());
        Assert.Equal(9, outcomes.OfType<Refused<StartedTrial>>().Count(r => r.Refusal.Reason == RefusalReason.TrialAlreadyUsed));
    }

    [Fact]
    public async Task A_trial_started_by_another_request_between_this_ones_read_and_its_write_refuses_this_one()
    {
        // Deterministic form of the race: the other request runs whole right after this one read the account (no trial yet).
        await _bed.Accounts.GetOrCreateAsync(_id, CancellationToken.None);
        Outcome<StartedTrial>? other = null;
        var accounts = new HookedAccountStore(_bed.Accounts) { AfterRead = async () => other = await _bed.Trials.StartAsync(_id, CancellationToken.None) };
        var trials = new LocalTrials(_bed.Catalog, accounts, _bed.Gateway, _bed.Time, NullLogger<LocalTrials>.Instance);

        var outcome = await trials.StartAsync(_id, CancellationToken.None);

        var started = Assert.IsType<Succeeded<StartedTrial>>(other).Value;
        Assert.Equal(RefusalReason.TrialAlreadyUsed, Assert.IsType<Refused<StartedTrial>>(outcome).Refusal.Reason);
        Assert.Equal(started.StartedAt, (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.LocalTrial!.StartedAt);
    }

    [Fact]
    public async Task A_checkout_with_a_trial_opened_between_the_trial_s_read_and_its_write_is_expired_before_the_trial_starts()
    {
        // Another tab opens a Checkout that grants Stripe's trial right after the trial request read the account: that
        // Checkout saw no trial yet, so it did not refuse itself; left payable, the account would get both trials.
        await _bed.Accounts.GetOrCreateAsync(_id, CancellationToken.None);
        StartedCheckout? opened = null;
        var accounts = new HookedAccountStore(_bed.Accounts)
        {
            AfterRead = async () => opened = Assert.IsType<Succeeded<StartedCheckout>>(await _bed.Checkout.StartAsync(_id, new StartCheckout { Plan = "basic", Interval = "year" }, CancellationToken.None)).Value,
        };
        var trials = new LocalTrials(_bed.Catalog, accounts, _bed.Gateway, _bed.Time, NullLogger<LocalTrials>.Instance);

        var trial = await trials.StartAsync(_id, CancellationToken.None);

        Assert.NotNull(opened!.TrialDays); // the Checkout grants Stripe's trial and was answered as open
        Assert.IsType<Succeeded<StartedTrial>>(trial);
        var stored = (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!;
        Assert.NotNull(stored.LocalTrial);
        Assert.Contains(opened.SessionId, _bed.Gateway.ExpiredSessions); // no second trial through Stripe
        Assert.Null(stored.OpenCheckout);
    }
}
