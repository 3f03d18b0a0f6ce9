using System.Net;
using System.Text.Json;
using Billing.Domain.Subscriptions;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>POST /api/billing/checkout against the Stripe emulator: the session, the customer, the trial and the refusals.</summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class CheckoutTests(BillingApiFixture api)
{
    [Fact]
    public async Task Checkout_returns_an_emulator_session_that_carries_the_account_the_price_and_the_trial()
    {
        var accountId = BillingApiFixture.NewAccountId();

        var body = (await CheckoutAsync(accountId, """{"plan":"basic","interval":"month"}""")).ShouldBe(HttpStatusCode.OK);

        var sessionId = body.GetProperty("sessionId").GetString()!;
        var url = body.GetProperty("url").GetString()!;
        Assert.StartsWith(new Uri(api.Stripe.ApiBase, "/checkout/").ToString(), url, StringComparison.Ordinal);
        Assert.EndsWith(sessionId, url, StringComparison.Ordinal);
        Assert.Equal("BASIC", body.GetProperty("plan").GetString());
        Assert.Equal(14, body.GetProperty("trialDays").GetInt32());

        var session = await api.CheckoutSessionAsync(sessionId);
        Assert.Equal("subscription", session.GetProperty("mode").GetString());
        Assert.Equal(accountId, session.GetProperty("client_reference_id").GetString());
        Assert.Equal(accountId, session.GetProperty("metadata").GetProperty("account_id").GetString());
        var customer = Assert.Single(await api.StripeCustomersOfAsync(accountId));
        Assert.Equal(customer.GetProperty("id").GetString(), session.GetProperty("customer").GetString());
        var line = Assert.Single(session.GetProperty("line_items").GetProperty("data").EnumerateArray());
        Assert.Equal("price_basic_monthly", line.GetProperty("price").GetProperty("id").GetString());
        Assert.Equal(1, line.GetProperty("quantity").GetInt64());
        Assert.Equal("http://localhost:3000/billing/success?session_id={CHECKOUT_SESSION_ID}", session.GetProperty("success_url").GetString());
        Assert.Equal("http://localhost:3000/billing", session.GetProperty("cancel_url").GetString());

        // What the session asked for becomes visible on the subscription Stripe creates when it is paid.
        var subscription = await api.CompleteCheckoutAsync(sessionId);
        Assert.Equal("trialing", subscription.GetProperty("status").GetString());
        Assert.Equal(14 * 86_400, subscription.GetProperty("trial_end").GetInt64() - subscription.GetProperty("trial_start").GetInt64());
        Assert.Equal(accountId, subscription.GetProperty("metadata").GetProperty("account_id").GetString());

        var stored = Assert.Single(await api.AccountDocumentsOfAsync(accountId));
        Assert.Equal(customer.GetProperty("id").GetString(), stored.GetProperty("stripeCustomerId").GetString());
        Assert.Equal(accountId, Assert.Single(await api.CustomerLinksOfAsync(accountId)).GetProperty("accountId").GetString());
    }

    [Fact]
    public async Task A_second_checkout_after_the_trial_was_used_has_no_trial_and_reuses_the_customer()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var first = (await CheckoutAsync(accountId, """{"plan":"BASIC","interval":"year"}""")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(14, first.GetProperty("trialDays").GetInt32());
        (await api.PostAsync("/api/billing/trial", api.Token(accountId))).ShouldBe(HttpStatusCode.OK);

        var second = (await CheckoutAsync(accountId, """{"plan":"BASIC","interval":"year"}""")).ShouldBe(HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Null, second.GetProperty("trialDays").ValueKind);
        var subscription = await api.CompleteCheckoutAsync(second.GetProperty("sessionId").GetString()!);
        Assert.Equal("active", subscription.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, subscription.GetProperty("trial_end").ValueKind);
        Assert.Single(await api.StripeCustomersOfAsync(accountId));
        var line = Assert.Single((await api.CheckoutSessionAsync(second.GetProperty("sessionId").GetString()!)).GetProperty("line_items").GetProperty("data").EnumerateArray());
        Assert.Equal("price_basic_yearly", line.GetProperty("price").GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_trial_from_an_earlier_cancelled_subscription_counts_as_used()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var longAgo = DateTimeOffset.UtcNow.AddDays(-90);
        var customerId = await api.CreateStripeCustomerAsync(accountId);
        await api.SeedAsync(accountId, a => SeededStates.Subscribed(a with { StripeCustomerId = customerId }, SubscriptionStatus.Canceled, longAgo, "BASIC", trialStart: longAgo, endedAt: longAgo.AddDays(40)));

        var body = (await CheckoutAsync(accountId, """{"plan":"BASIC","interval":"month"}""")).ShouldBe(HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Null, body.GetProperty("trialDays").ValueKind);
    }

    [Fact]
    public async Task A_plan_without_a_trial_gets_none_and_allowed_redirect_urls_are_passed_on()
    {
        var accountId = BillingApiFixture.NewAccountId();

        var body = (await CheckoutAsync(
            accountId,
            """{"plan":"PRO","interval":"month","successUrl":"http://localhost:3000/welcome?s={CHECKOUT_SESSION_ID}","cancelUrl":"http://localhost:3000/pricing"}"""))
            .ShouldBe(HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Null, body.GetProperty("trialDays").ValueKind);
        var session = await api.CheckoutSessionAsync(body.GetProperty("sessionId").GetString()!);
        Assert.Equal("http://localhost:3000/welcome?s={CHECKOUT_SESSION_ID}", session.GetProperty("success_url").GetString());
        Assert.Equal("http://localhost:3000/pricing", session.GetProperty("cancel_url").GetString());
        var subscription = await api.CompleteCheckoutAsync(body.GetProperty("sessionId").GetString()!);
        Assert.Equal("active", subscription.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("active")]
    [InlineData("trialing")]
    [InlineData("past_due")]
    public async Task Checkout_is_refused_with_409_while_a_paid_subscription_is_live_and_nothing_is_written(string status)
    {
        var accountId = BillingApiFixture.NewAccountId();
        var seeded = await api.SeedAsync(accountId, a => SeededStates.Subscribed(a, SubscriptionStatus.From(status), DateTimeOffset.UtcNow.AddDays(-1)));

        var problem = (await CheckoutAsync(accountId, """{"plan":"BASIC","interval":"month"}""")).ShouldBeProblem(HttpStatusCode.Conflict);

        Assert.Equal("subscription_live", problem.GetProperty("code").GetString());
        Assert.Contains("portal", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await api.StripeCustomersOfAsync(accountId));
        var stored = Assert.Single(await api.AccountDocumentsOfAsync(accountId));
        Assert.Equal(seeded.Version, stored.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Checkout_is_allowed_again_after_the_subscription_was_cancelled()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var start = DateTimeOffset.UtcNow.AddDays(-40);
        var customerId = await api.CreateStripeCustomerAsync(accountId);
        await api.SeedAsync(accountId, a => SeededStates.Subscribed(a with { StripeCustomerId = customerId }, SubscriptionStatus.Canceled, start, endedAt: start.AddDays(30)));

        var body = (await CheckoutAsync(accountId, """{"plan":"PRO","interval":"month"}""")).ShouldBe(HttpStatusCode.OK);

        Assert.Equal(customerId, (await api.CheckoutSessionAsync(body.GetProperty("sessionId").GetString()!)).GetProperty("customer").GetString());
        Assert.Single(await api.StripeCustomersOfAsync(accountId));
    }

    private Task<ApiResponse> CheckoutAsync(string accountId, string json) =>
        api.PostAsync("/api/billing/checkout", api.Token(accountId), json);
}
