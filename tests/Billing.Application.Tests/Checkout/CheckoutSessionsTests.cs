using Billing.Application.Catalog;
using Billing.Application.Checkout;
using Billing.Application.Outcomes;
using Billing.Application.Tests.Fakes;
using Billing.Application.Trials;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;

namespace Billing.Application.Tests.Checkout;

public sealed class CheckoutSessionsTests
{
    private static readonly Currency Usd = Currency.Parse("usd");
    private readonly AccountsTestBed _bed = new();
    private readonly AccountId _id = AccountsTestBed.NewAccountId();

    [Fact]
    public async Task Creates_a_session_for_the_plans_price_with_the_account_and_its_one_customer()
    {
        var outcome = await StartAsync(new StartCheckout { Plan = "pro", Interval = "month" });

        var started = Assert.IsType<Succeeded<StartedCheckout>>(outcome).Value;
        var request = Assert.Single(_bed.Gateway.Checkouts);
        Assert.Equal(_id, request.AccountId);
        Assert.Equal(TestCatalog.ProMonthly, request.PriceId);
        Assert.Equal(Assert.Single(_bed.Gateway.CreatedCustomers), request.CustomerId);
        Assert.Equal(AccountsTestBed.DefaultSuccessUrl, request.SuccessUrl);
        Assert.Equal(AccountsTestBed.DefaultCancelUrl, request.CancelUrl);
        Assert.Null(request.TrialDays); // PRO has no Checkout trial
        Assert.Equal(PlanCode.Parse("PRO"), started.Plan);
        Assert.Equal(BillingInterval.Month, started.Interval);
        Assert.StartsWith("cs_test_", started.SessionId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grants_the_plans_trial_to_an_account_that_never_had_one()
    {
        var outcome = await StartAsync(new StartCheckout { Plan = "BASIC", Interval = "year" });

        Assert.Equal(TestCatalog.BasicTrialDays, Assert.IsType<Succeeded<StartedCheckout>>(outcome).Value.TrialDays);
        var request = Assert.Single(_bed.Gateway.Checkouts);
        Assert.Equal(TestCatalog.BasicTrialDays, request.TrialDays);
        Assert.Equal(TestCatalog.BasicYearly, request.PriceId);
    }

    [Fact]
    public async Task No_trial_after_the_account_used_its_trial()
    {
        Assert.IsType<Succeeded<StartedTrial>>(await _bed.Trials.StartAsync(_id, CancellationToken.None));
        _bed.Time.Advance(TimeSpan.FromDays(30)); // long over

        var outcome = await StartAsync(new StartCheckout { Plan = "basic", Interval = "month" });

        Assert.Null(Assert.IsType<Succeeded<StartedCheckout>>(outcome).Value.TrialDays);
        Assert.Null(Assert.Single(_bed.Gateway.Checkouts).TrialDays);
    }

    [Fact]
    public async Task Uses_request_urls_on_the_allow_list()
    {
        const string success = "https://app.example.com/welcome?s={CHECKOUT_SESSION_ID}";
        const string cancel = "https://APP.example.com:443/pricing#plans";

        var outcome = await StartAsync(new StartCheckout { Plan = "pro", Interval = "month", SuccessUrl = success, CancelUrl = cancel });

        Assert.IsType<Succeeded<StartedCheckout>>(outcome);
        var request = Assert.Single(_bed.Gateway.Checkouts);
        Assert.Equal(success, request.SuccessUrl);
        Assert.Equal(cancel, request.CancelUrl);
    }

    [Theory]
    [InlineData(null, "month", "plan")]
    [InlineData("", "month", "plan")]
    [InlineData("GOLD", "month", "plan")]
    [InlineData("not a code!", "month", "plan")]
    [InlineData("FREE", "month", "plan")]
    [InlineData("TRIAL", "month", "plan")]
    [InlineData("PRO", null, "interval")]
    [InlineData("PRO", "week", "interval")]
    [InlineData("PRO", "Month", "interval")]
    [InlineData("PRO", "year", "interval")] // PRO is sold by the month only
    public async Task An_invalid_plan_or_interval_is_rejected_and_nothing_is_written(string? plan, string? interval, string field)
    {
        var outcome = await StartAsync(new StartCheckout { Plan = plan, Interval = interval });

        var invalid = Assert.IsType<Invalid<StartedCheckout>>(outcome);
        Assert.Equal([field], invalid.Errors.Fields);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task A_refusal_repeats_at_most_64_characters_of_what_was_sent()
    {
        var outcome = await StartAsync(new StartCheckout { Plan = new string('P', 16_000), Interval = new string('m', 16_000) });

        var invalid = Assert.IsType<Invalid<StartedCheckout>>(outcome);
        Assert.Equal($"'{new string('P', 64)}...' is not a plan of the catalog; sold through Checkout: BASIC, PRO.", Assert.Single(invalid.Errors.For("plan")));
        Assert.Equal($"'{new string('m', 64)}...' is not an interval: use month or year.", Assert.Single(invalid.Errors.For("interval")));
    }

    [Fact]
    public async Task A_refusal_cut_inside_a_surrogate_pair_repeats_whole_characters_only()
    {
        var plan = new string('P', 63) + string.Concat(Enumerable.Repeat("\U0001F680", 10));

        var outcome = await StartAsync(new StartCheckout { Plan = plan, Interval = "month" });

        // A lone high surrogate is written to the answer as U+FFFD, a character the caller never sent.
        var invalid = Assert.IsType<Invalid<StartedCheckout>>(outcome);
        Assert.Equal($"'{new string('P', 63)}...' is not a plan of the catalog; sold through Checkout: BASIC, PRO.", Assert.Single(invalid.Errors.For("plan")));
    }

    [Theory]
    [InlineData("https://evil.example.com/phish")]
    [InlineData("http://app.example.com/billing")] // scheme differs
    [InlineData("https://app.example.com:8443/billing")] // port differs
    [InlineData("https://app.example.com.evil.com/")]
    [InlineData("https://app.example.com@evil.com/")]
    [InlineData("//evil.com/x")]
    [InlineData("/relative")]
    [InlineData("javascript:alert(1)")]
    [InlineData("")]
    public async Task A_redirect_url_off_the_allow_list_is_rejected_and_nothing_is_written(string url)
    {
        var outcome = await StartAsync(new StartCheckout { Plan = "PRO", Interval = "month", SuccessUrl = url, CancelUrl = url });

        var invalid = Assert.IsType<Invalid<StartedCheckout>>(outcome);
        Assert.Equal(["successUrl", "cancelUrl"], invalid.Errors.Fields);
        await AssertNothingWrittenAsync();
    }

    [Theory]
    [InlineData("active")]
    [InlineData("trialing")]
    [InlineData("past_due")]
    [InlineData("unpaid")]
    [InlineData("paused")]
    public async Task Refused_while_a_subscription_stands_and_nothing_is_written(string status)
    {
        _bed.Seed(_id, a => _bed.WithSubscription(AccountsTestBed.WithCustomer(a), SubscriptionStatus.From(status)));
        var writes = _bed.Accounts.Writes;

        var outcome = await StartAsync(new StartCheckout { Plan = "PRO", Interval = "month" });

        Assert.Equal(RefusalReason.SubscriptionLive, Assert.IsType<Refused<StartedCheckout>>(outcome).Refusal.Reason);
        Assert.Equal(0, _bed.Gateway.TotalCalls);
        Assert.Equal(writes, _bed.Accounts.Writes);
    }

    [Fact]
    public async Task Refused_while_a_deleted_customers_subscription_still_stands_and_no_customer_is_created()
    {
        // customer.deleted was processed before its subscription's end: the account forgot the customer, and its
        // subscription still reads live. The refusal comes before a new customer would be provisioned.
        _bed.Seed(_id, a =>
        {
            var subscribed = _bed.WithSubscription(AccountsTestBed.WithCustomer(a), SubscriptionStatus.Active);
            return subscribed.ForgetStripeCustomer(subscribed.StripeCustomerId!);
        });
        var writes = _bed.Accounts.Writes;

        var outcome = await StartAsync(new StartCheckout { Plan = "PRO", Interval = "month" });

        Assert.Equal(RefusalReason.SubscriptionLive, Assert.IsType<Refused<StartedCheckout>>(outcome).Refusal.Reason);
        Assert.Equal(0, _bed.Gateway.TotalCalls);
        Assert.Equal(writes, _bed.Accounts.Writes);
    }

    [Fact]
    public async Task Refused_while_a_cancellation_at_period_end_is_still_ahead()
    {
        _bed.Seed(_id, a => _bed.WithSubscription(AccountsTestBed.WithCustomer(a), SubscriptionStatus.Active, s => s with { CancelAtPeriodEnd = true }));

        var outcome = await StartAsync(new StartCheckout { Plan = "PRO", Interval = "month" });

        Assert.IsType<Refused<StartedCheckout>>(outcome);
    }

    [Fact]
    public async Task Allowed_once_a_cancellation_at_period_end_has_passed_even_before_Stripe_reports_it()
    {
        _bed.Seed(_id, a => _bed.WithSubscription(AccountsTestBed.WithCustomer(a), SubscriptionStatus.Active, s => s with { CancelAtPeriodEnd = true }));
        _bed.Time.Advance(TimeSpan.FromDays(28));

        var outcome = await StartAsync(new StartCheckout { Plan = "PRO", Interval = "month" });

        Assert.IsType<Succeeded<StartedCheckout>>(outcome);
        Assert.Equal("cus_existing", Assert.Single(_bed.Gateway.Checkouts).CustomerId);
    }

    [Theory]
    [InlineData("canceled")]
    [InlineData("incomplete_expired")]
    [InlineData("incomplete")]
    public async Task Allowed_after_a_subscription_ended_or_never_got_going_and_reuses_the_customer(string status)
    {
        _bed.Seed(_id, a => _bed.WithSubscription(AccountsTestBed.WithCustomer(a), SubscriptionStatus.From(status)));

        var outcome = await StartAsync(new StartCheckout { Plan = "PRO", Interval = "month" });

        Assert.IsType<Succeeded<StartedCheckout>>(outcome);
        Assert.Empty(_bed.Gateway.CustomerCalls);
        Assert.Equal("cus_existing", Assert.Single(_bed.Gateway.Checkouts).CustomerId);
    }

    [Fact]
    public async Task A_trial_seen_on_an_earlier_Stripe_subscription_counts_as_used()
    {
        var now = _bed.Time.GetUtcNow();
        _bed.Seed(_id, a => _bed.WithSubscription(
            AccountsTestBed.WithCustomer(a),
            SubscriptionStatus.Canceled,
            s => s with { TrialStart = now.AddDays(-40), TrialEnd = now.AddDays(-26), EndedAt = now.AddDays(-1) }));

        var outcome = await StartAsync(new StartCheckout { Plan = "BASIC", Interval = "month" });

        Assert.Null(Assert.IsType<Succeeded<StartedCheckout>>(outcome).Value.TrialDays);
    }

    [Fact]
    public async Task Twenty_parallel_first_checkouts_share_one_account_one_customer_and_end_with_one_open_session()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => StartAsync(new StartCheckout { Plan = "PRO", Interval = "month" }))));

        Assert.All(outcomes, o => Assert.IsType<Succeeded<StartedCheckout>>(o));
        var customer = Assert.Single(_bed.Gateway.CreatedCustomers);
        Assert.InRange(_bed.Gateway.Checkouts.Count, 1, 20); // later requests reuse the open session
        Assert.All(_bed.Gateway.Checkouts, c => Assert.Equal(customer, c.CustomerId));
        Assert.All(_bed.Gateway.Checkouts, c => Assert.Equal(_id, c.AccountId));
        var open = (await _bed.Accounts.GetAsync(_id, CancellationToken.None))!.OpenCheckout!;
        Assert.Contains(outcomes, o => ((Succeeded<StartedCheckout>)o).Value.SessionId == open.SessionId);

        // This fake gives every create its own session (Stripe would give these twins one, by their shared idempotency
        // key): each one the account no longer holds was expired, so one stays payable.
        Assert.Equal(_bed.Gateway.Checkouts.Count - 1, _bed.Gateway.ExpiredSessions.Count);
        Assert.Equal(_bed.Gateway.ExpiredSessions.Count, _bed.Gateway.ExpiredSessions.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(open.SessionId, _bed.Gateway.ExpiredSessions);
    }

    [Theory]
    [InlineData("BASIC", "month", "billed every year")] // BASIC's yearly price in its Month slot: Stripe would sell a yearly subscription
    [InlineData("BASIC", "year", "not on sale")] // unknown to Stripe, archived, metered, tiered or one-time
    [InlineData("PRO", "month", "in eur")] // PRO bills overage in usd: its usage invoices would not be in the subscription's currency
    public async Task A_plan_whose_stripe_price_disagrees_with_the_catalog_is_refused_and_nothing_is_written(string plan, string interval, string why)
    {
        var eur = Currency.Parse("eur");
        _bed.Prices.Prices[TestCatalog.BasicMonthly] = new StripePlanPrice(new Money(19_000, Usd), BillingInterval.Year);
        _bed.Prices.Prices.Remove(TestCatalog.BasicYearly);
        _bed.Prices.Prices[TestCatalog.ProMonthly] = new StripePlanPrice(new Money(4_500, eur), BillingInterval.Month);

        var outcome = await StartAsync(new StartCheckout { Plan = plan, Interval = interval });

        var refusal = Assert.IsType<Refused<StartedCheckout>>(outcome).Refusal;
        Assert.Equal(RefusalReason.PlanNotSold, refusal.Reason);
        Assert.Contains($"The {plan} plan is not sold by the {interval} now", refusal.Detail, StringComparison.Ordinal);
        Assert.Contains(why, refusal.Detail, StringComparison.Ordinal);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Only_the_interval_whose_price_disagrees_is_refused()
    {
        _bed.Prices.Prices.Remove(TestCatalog.BasicYearly);

        Assert.IsType<Refused<StartedCheckout>>(await StartAsync(new StartCheckout { Plan = "BASIC", Interval = "year" }));
        Assert.IsType<Succeeded<StartedCheckout>>(await StartAsync(new StartCheckout { Plan = "BASIC", Interval = "month" }));
        Assert.Equal(TestCatalog.BasicMonthly, Assert.Single(_bed.Gateway.Checkouts).PriceId);
    }

    [Fact]
    public async Task When_stripes_prices_cannot_be_read_checkout_sells_the_catalogs_price_as_before()
    {
        _bed.Prices.Prices.Remove(TestCatalog.ProMonthly);
        _bed.Prices.Down = true;

        var outcome = await StartAsync(new StartCheckout { Plan = "PRO", Interval = "month" });

        Assert.IsType<Succeeded<StartedCheckout>>(outcome);
        Assert.Equal(TestCatalog.ProMonthly, Assert.Single(_bed.Gateway.Checkouts).PriceId);
    }

    [Fact]
    public async Task Through_a_stripe_outage_the_last_prices_read_still_decide()
    {
        _bed.Prices.Prices.Remove(TestCatalog.ProMonthly);
        Assert.IsType<Refused<StartedCheckout>>(await StartAsync(new StartCheckout { Plan = "PRO", Interval = "month" }));
        _bed.Prices.Down = true;
        _bed.Time.Advance(PlanPricing.CacheFor * 2);

        Assert.IsType<Refused<StartedCheckout>>(await StartAsync(new StartCheckout { Plan = "PRO", Interval = "month" }));
        Assert.Equal(2, _bed.Prices.Reads);
    }

    private Task<Outcome<StartedCheckout>> StartAsync(StartCheckout request) =>
        _bed.Checkout.StartAsync(_id, request, CancellationToken.None);

    private async Task AssertNothingWrittenAsync()
    {
        Assert.Null(await _bed.Accounts.GetAsync(_id, CancellationToken.None));
        Assert.Equal(0, _bed.Gateway.TotalCalls);
        Assert.Empty(_bed.Links.All);
    }
}
