using Billing.Application.Checkout;
using Billing.Application.Outcomes;
using Billing.Application.Payments;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.TestSupport;

namespace Billing.Application.Tests.Checkout;

public sealed class OpenCheckoutSessionTests
{
    private readonly AccountsTestBed _bed = new();
    private readonly AccountId _id = AccountsTestBed.NewAccountId();

    [Fact]
    public async Task The_same_plan_and_interval_while_open_gets_the_same_session_without_calling_stripe()
    {
        var first = await StartAsync("basic", "month");
        var calls = _bed.Gateway.TotalCalls;

        var again = await StartAsync("basic", "month");

        Assert.Equal(first.SessionId, again.SessionId);
        Assert.Equal(first.Url, again.Url);
        Assert.True(again.Reused);
        Assert.Equal(calls, _bed.Gateway.TotalCalls);
        var stored = (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.OpenCheckout!;
        Assert.Equal((first.SessionId, "BASIC", TestCatalog.BasicMonthly), (stored.SessionId, stored.PlanCode.Value, stored.PriceId));
        Assert.Equal(AccountsTestBed.Start.AddHours(24), stored.ExpiresAt);
    }

    [Fact]
    public async Task Another_plan_or_interval_expires_the_open_session_at_stripe_first()
    {
        var monthly = await StartAsync("basic", "month");

        var yearly = await StartAsync("basic", "year");

        Assert.Equal([monthly.SessionId], _bed.Gateway.ExpiredSessions);
        Assert.NotEqual(monthly.SessionId, yearly.SessionId);
        Assert.Equal(yearly.SessionId, (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.OpenCheckout!.SessionId);
        var keys = _bed.Gateway.Checkouts.Select(c => c.IdempotencyKey).ToList();
        Assert.Equal(2, keys.Distinct().Count());
    }

    [Fact]
    public async Task Going_back_to_a_price_whose_session_was_expired_gets_a_new_session_not_stripes_answer_to_the_old_key()
    {
        _bed.Gateway.IdempotentCheckouts = true; // Stripe answers a key it saw within 24 hours with the session it made then
        var monthly = await StartAsync("basic", "month");
        var yearly = await StartAsync("basic", "year"); // expires the monthly session

        var again = await StartAsync("basic", "month"); // expires the yearly one

        Assert.Equal([monthly.SessionId, yearly.SessionId], _bed.Gateway.ExpiredSessions);
        Assert.NotEqual(monthly.SessionId, again.SessionId); // the expired page no longer takes a payment
        Assert.False(again.Reused);
    }

    [Fact]
    public async Task A_request_cancelled_once_the_open_session_was_expired_leaves_no_dead_session_to_reuse()
    {
        var monthly = await StartAsync("basic", "month");
        using var cancellation = new CancellationTokenSource();
        _bed.Accounts.RefuseCancelledUpdates = true;
        _bed.Gateway.AfterExpire = _ => cancellation.Cancel(); // the caller goes away as Stripe expires the open session

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bed.Checkout.StartAsync(_id, new StartCheckout { Plan = "basic", Interval = "year" }, cancellation.Token));
        _bed.Gateway.AfterExpire = null;

        Assert.Equal([monthly.SessionId], _bed.Gateway.ExpiredSessions);
        var again = await StartAsync("basic", "month"); // the customer goes back to the monthly price
        Assert.NotEqual(monthly.SessionId, again.SessionId); // not the session Stripe expired: its page no longer takes a payment
        Assert.False(again.Reused);
    }

    [Fact]
    public async Task A_trial_request_cancelled_once_the_checkout_with_a_trial_was_expired_leaves_no_dead_session_to_reuse()
    {
        var withTrial = await StartAsync("basic", "year");
        Assert.NotNull(withTrial.TrialDays);
        using var cancellation = new CancellationTokenSource();
        _bed.Accounts.RefuseCancelledUpdates = true;
        _bed.Gateway.AfterExpire = _ => cancellation.Cancel(); // the caller goes away as Stripe expires the open session

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bed.Trials.StartAsync(_id, cancellation.Token));
        _bed.Gateway.AfterExpire = null;

        Assert.Equal([withTrial.SessionId], _bed.Gateway.ExpiredSessions);
        var again = await StartAsync("basic", "year"); // no trial started: the customer goes back to the Checkout
        Assert.NotEqual(withTrial.SessionId, again.SessionId); // not the session Stripe expired
    }

    [Fact]
    public async Task A_session_at_a_price_the_catalog_no_longer_sells_is_expired_not_reused()
    {
        var old = await StartAsync("basic", "month");
        await _bed.Accounts.UpdateAsync(_id, a => a with { OpenCheckout = a.OpenCheckout! with { PriceId = "price_basic_monthly_before_the_increase" } }, CancellationToken.None);

        var current = await StartAsync("basic", "month");

        Assert.False(current.Reused);
        Assert.Equal([old.SessionId], _bed.Gateway.ExpiredSessions);
        Assert.Equal(TestCatalog.BasicMonthly, (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.OpenCheckout!.PriceId);
    }

    [Fact]
    public async Task A_session_granting_a_trial_is_not_reused_once_the_trial_is_used()
    {
        var withTrial = await StartAsync("basic", "year");
        Assert.NotNull(withTrial.TrialDays);
        Assert.IsType<Succeeded<Billing.Application.Trials.StartedTrial>>(await _bed.Trials.StartAsync(_id, CancellationToken.None));

        var withoutTrial = await StartAsync("basic", "year");

        Assert.Null(withoutTrial.TrialDays);
        Assert.NotEqual(withTrial.SessionId, withoutTrial.SessionId);
        Assert.Equal([withTrial.SessionId], _bed.Gateway.ExpiredSessions);
        Assert.Null(_bed.Gateway.Checkouts.Last().TrialDays);
    }

    [Fact]
    public async Task A_trial_started_while_a_session_granting_a_trial_is_open_expires_that_session_first()
    {
        var withTrial = await StartAsync("basic", "year");

        Assert.IsType<Succeeded<Billing.Application.Trials.StartedTrial>>(await _bed.Trials.StartAsync(_id, CancellationToken.None));

        Assert.NotNull(withTrial.TrialDays);
        Assert.Equal([withTrial.SessionId], _bed.Gateway.ExpiredSessions);
        Assert.Null((await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.OpenCheckout);
    }

    [Fact]
    public async Task A_session_with_a_trial_created_while_a_trial_started_is_expired_and_the_checkout_refused()
    {
        await _bed.Accounts.GetOrCreateAsync(_id, CancellationToken.None);
        _bed.Gateway.DuringCheckoutCreation = async _ =>
        {
            _bed.Gateway.DuringCheckoutCreation = null;
            await _bed.Trials.StartAsync(_id, CancellationToken.None); // the same account, from another tab
        };

        var outcome = await _bed.Checkout.StartAsync(_id, new StartCheckout { Plan = "basic", Interval = "year" }, CancellationToken.None);

        Assert.Equal(RefusalReason.TrialAlreadyUsed, Assert.IsType<Refused<StartedCheckout>>(outcome).Refusal.Reason);
        Assert.NotNull(Assert.Single(_bed.Gateway.Checkouts).TrialDays);
        Assert.Single(_bed.Gateway.ExpiredSessions);
        var account = (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!;
        Assert.Null(account.OpenCheckout);
        Assert.NotNull(account.LocalTrial);
    }

    [Fact]
    public async Task Another_plan_while_the_open_session_was_already_paid_is_refused_instead_of_a_second_subscription()
    {
        var paid = await StartAsync("basic", "month");
        _bed.Gateway.CompletedSessions[paid.SessionId] = true; // paid at Stripe; its checkout.session.completed not processed yet

        var outcome = await _bed.Checkout.StartAsync(_id, new StartCheckout { Plan = "pro", Interval = "month" }, CancellationToken.None);

        Assert.Equal(RefusalReason.SubscriptionLive, Assert.IsType<Refused<StartedCheckout>>(outcome).Refusal.Reason);
        Assert.Single(_bed.Gateway.Checkouts); // no second session to pay
        Assert.Equal(paid.SessionId, (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.OpenCheckout!.SessionId);
    }

    [Fact]
    public async Task Two_tabs_opening_sessions_for_other_plans_at_once_leave_one_payable()
    {
        Task<Outcome<StartedCheckout>>? otherTab = null;
        _bed.Gateway.DuringCheckoutCreation = _ =>
        {
            _bed.Gateway.DuringCheckoutCreation = null;
            otherTab = _bed.Checkout.StartAsync(_id, new StartCheckout { Plan = "pro", Interval = "month" }, CancellationToken.None);
            return otherTab; // the other tab's session is created and remembered while this one is being created
        };

        var first = await StartAsync("basic", "month");
        var second = Assert.IsType<Succeeded<StartedCheckout>>(await otherTab!).Value;

        Assert.Equal([second.SessionId], _bed.Gateway.ExpiredSessions);
        Assert.Equal(first.SessionId, (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.OpenCheckout!.SessionId);
    }

    [Fact]
    public async Task Two_tabs_opening_the_same_checkout_at_once_share_stripes_one_session_and_leave_it_payable()
    {
        _bed.Gateway.IdempotentCheckouts = true;
        Task<Outcome<StartedCheckout>>? otherTab = null;
        _bed.Gateway.DuringCheckoutCreation = _ =>
        {
            _bed.Gateway.DuringCheckoutCreation = null;
            otherTab = _bed.Checkout.StartAsync(_id, new StartCheckout { Plan = "basic", Interval = "month" }, CancellationToken.None);
            return otherTab; // the other tab gets the same session (same idempotency key) and remembers it first
        };

        var first = await StartAsync("basic", "month");
        var second = Assert.IsType<Succeeded<StartedCheckout>>(await otherTab!).Value;

        Assert.Equal(first.SessionId, second.SessionId);
        Assert.Empty(_bed.Gateway.ExpiredSessions); // the one session both tabs show must stay payable
        Assert.Equal(first.SessionId, (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.OpenCheckout!.SessionId);
    }

    [Theory]
    [InlineData("month", "https://app.example.com/elsewhere")] // only the cancel URL tells the two requests apart
    [InlineData("year", null)] // only the price does (the same plan: the same trial)
    public async Task Two_tabs_with_other_cancel_urls_or_prices_at_once_use_two_idempotency_keys(string otherInterval, string? otherCancelUrl)
    {
        Task<Outcome<StartedCheckout>>? otherTab = null;
        _bed.Gateway.DuringCheckoutCreation = _ =>
        {
            _bed.Gateway.DuringCheckoutCreation = null;
            otherTab = _bed.Checkout.StartAsync(
                _id,
                new StartCheckout { Plan = "basic", Interval = otherInterval, CancelUrl = otherCancelUrl },
                CancellationToken.None);
            return otherTab; // read the same account version as this request
        };

        await StartAsync("basic", "month");
        Assert.IsType<Succeeded<StartedCheckout>>(await otherTab!);

        // Stripe refuses a key reused with other parameters: the second tab would get an error instead of its page.
        Assert.Equal(2, _bed.Gateway.Checkouts.Select(c => c.IdempotencyKey).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task An_open_session_is_reused_until_stripes_expires_at_not_the_configured_lifetime()
    {
        _bed.Gateway.CheckoutExpiresAt = AccountsTestBed.Start.AddHours(2); // Stripe's lifetime, shorter than the configured 24 hours
        var first = await StartAsync("pro", "month");
        Assert.Equal(AccountsTestBed.Start.AddHours(2), (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.OpenCheckout!.ExpiresAt);
        _bed.Time.Advance(TimeSpan.FromHours(2));
        _bed.Gateway.CheckoutExpiresAt = null;

        var second = await StartAsync("pro", "month");

        Assert.NotEqual(first.SessionId, second.SessionId); // Stripe's page no longer takes a payment
        Assert.False(second.Reused);
    }

    [Fact]
    public async Task A_request_cancelled_once_its_session_replaced_another_tabs_still_expires_that_one()
    {
        using var cancellation = new CancellationTokenSource();
        StartedCheckout? otherTab = null;
        _bed.Gateway.DuringCheckoutCreation = async _ =>
        {
            _bed.Gateway.DuringCheckoutCreation = null;
            otherTab = await StartAsync("pro", "month"); // the other tab's session is created and remembered meanwhile
            await cancellation.CancelAsync(); // the caller goes away (or the host stops) as this request's session is stored
        };

        try
        {
            await _bed.Checkout.StartAsync(_id, new StartCheckout { Plan = "basic", Interval = "month" }, cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            // the caller is gone: what matters is what the request left behind
        }

        var ours = Assert.Single(_bed.Gateway.Checkouts, c => c.PriceId == TestCatalog.BasicMonthly);
        Assert.NotEqual(otherTab!.SessionId, (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.OpenCheckout!.SessionId); // the account forgot the other tab's session...
        Assert.Contains(otherTab.SessionId, _bed.Gateway.ExpiredSessions); // ...so it must not stay payable: a second subscription
        Assert.NotNull(ours);
    }

    [Fact]
    public async Task A_session_another_tab_opened_and_the_customer_paid_while_this_one_was_created_refuses_this_one_instead_of_a_second_subscription()
    {
        StartedCheckout? otherTab = null;
        _bed.Gateway.DuringCheckoutCreation = async _ =>
        {
            _bed.Gateway.DuringCheckoutCreation = null;
            otherTab = await StartAsync("pro", "month"); // the other tab's session is created and remembered...
            _bed.Gateway.CompletedSessions[otherTab.SessionId] = true; // ...and paid at Stripe, its webhook not processed yet
        };

        var outcome = await _bed.Checkout.StartAsync(_id, new StartCheckout { Plan = "basic", Interval = "month" }, CancellationToken.None);

        var paid = otherTab!.SessionId;
        var refused = Assert.IsType<Refused<StartedCheckout>>(outcome);
        Assert.Equal(RefusalReason.SubscriptionLive, refused.Refusal.Reason);
        var ours = Assert.Single(_bed.Gateway.Checkouts, c => c.PriceId == TestCatalog.BasicMonthly);
        Assert.Contains(paid, _bed.Gateway.ExpiredSessions);
        Assert.Equal(2, _bed.Gateway.ExpiredSessions.Count); // this request's own session too: it must not be payable
        Assert.Equal(paid, (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.OpenCheckout!.SessionId); // so a third Checkout is refused too
        Assert.NotNull(ours);
    }

    [Fact]
    public async Task Other_redirect_urls_get_a_new_session_under_another_idempotency_key()
    {
        var first = await StartAsync("pro", "month");

        var other = Assert.IsType<Succeeded<StartedCheckout>>(await _bed.Checkout.StartAsync(
            _id,
            new StartCheckout { Plan = "pro", Interval = "month", SuccessUrl = "https://app.example.com/elsewhere" },
            CancellationToken.None)).Value;

        Assert.NotEqual(first.SessionId, other.SessionId);
        Assert.Equal([first.SessionId], _bed.Gateway.ExpiredSessions);
        Assert.Equal(2, _bed.Gateway.Checkouts.Select(c => c.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task An_expired_session_is_not_reused()
    {
        var first = await StartAsync("pro", "month");
        _bed.Time.Advance(TimeSpan.FromHours(24));

        var second = await StartAsync("pro", "month");

        Assert.NotEqual(first.SessionId, second.SessionId);
        Assert.Empty(_bed.Gateway.ExpiredSessions);
        Assert.False(second.Reused);
    }

    [Fact]
    public async Task After_stripe_deleted_the_customer_checkout_provisions_a_new_one_under_the_next_generation()
    {
        await StartAsync("pro", "month");
        var old = (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.StripeCustomerId!;
        await _bed.Accounts.UpdateAsync(_id, a => a.ForgetStripeCustomer(old), CancellationToken.None);

        await StartAsync("pro", "month");

        var account = (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!;
        Assert.NotEqual(old, account.StripeCustomerId);
        Assert.Equal(
            [PaymentIdempotencyKeys.CustomerCreation(_id), PaymentIdempotencyKeys.CustomerCreation(_id, 1)],
            _bed.Gateway.CustomerCalls.Select(c => c.IdempotencyKey));
        Assert.Equal(account.StripeCustomerId, _bed.Gateway.Checkouts.Last().CustomerId);
        Assert.EndsWith("#1", PaymentIdempotencyKeys.CustomerCreation(_id, 1), StringComparison.Ordinal);
    }

    private async Task<StartedCheckout> StartAsync(string plan, string interval)
    {
        var outcome = await _bed.Checkout.StartAsync(_id, new StartCheckout { Plan = plan, Interval = interval }, CancellationToken.None);
        return Assert.IsType<Succeeded<StartedCheckout>>(outcome).Value;
    }
}
