using System.Net;
using Billing.Domain.Subscriptions;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>
/// A user can never read or change another account: no route, query or body value names an account (the account is
/// the token's claim), a body naming one is rejected, and a token without a usable account claim is 403.
/// </summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class CrossAccountTests(BillingApiFixture api)
{
    [Fact]
    public async Task User_B_never_sees_user_As_subscription_trial_or_customer_even_when_naming_A()
    {
        var a = BillingApiFixture.NewAccountId();
        var b = BillingApiFixture.NewAccountId();
        await api.SeedAsync(a, account => SeededStates.Subscribed(account, SubscriptionStatus.Active, DateTimeOffset.UtcNow.AddDays(-5)));
        var tokenB = api.Token(b);

        var plain = (await api.GetAsync("/api/billing/subscription", tokenB)).ShouldBe(HttpStatusCode.OK);
        var namingA = (await api.GetAsync($"/api/billing/subscription?accountId={a}&account={a}&sub={a}", tokenB)).ShouldBe(HttpStatusCode.OK);

        foreach (var view in new[] { plain, namingA })
        {
            Assert.Equal(b, view.GetProperty("accountId").GetString());
            Assert.Equal("FREE", view.GetProperty("plan").GetProperty("code").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, view.GetProperty("subscription").ValueKind);
            Assert.False(view.GetProperty("portalAvailable").GetBoolean());
        }

        var asA = (await api.GetAsync("/api/billing/subscription", api.Token(a))).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("PRO", asA.GetProperty("plan").GetProperty("code").GetString());
    }

    [Fact]
    public async Task User_B_cannot_open_As_portal_or_start_a_checkout_for_A()
    {
        var a = BillingApiFixture.NewAccountId();
        var b = BillingApiFixture.NewAccountId();
        (await api.PostAsync("/api/billing/checkout", api.Token(a), """{"plan":"PRO","interval":"month"}""")).ShouldBe(HttpStatusCode.OK);
        var aBefore = Assert.Single(await api.AccountDocumentsOfAsync(a));
        var tokenB = api.Token(b);

        var portal = await api.PostAsync($"/api/billing/portal?accountId={a}", tokenB);
        var checkoutNamingA = await api.PostAsync("/api/billing/checkout", tokenB, $$"""{"plan":"PRO","interval":"month","accountId":"{{a}}"}""");
        var trialNamingA = await api.PostAsync("/api/billing/trial", tokenB, $$"""{"accountId":"{{a}}"}""");

        Assert.Equal("no_stripe_customer", portal.ShouldBeProblem(HttpStatusCode.Conflict).GetProperty("code").GetString());
        Assert.True(checkoutNamingA.ShouldBeProblem(HttpStatusCode.BadRequest).GetProperty("errors").TryGetProperty("accountId", out _));
        Assert.True(trialNamingA.ShouldBeProblem(HttpStatusCode.BadRequest).GetProperty("errors").TryGetProperty("accountId", out _));
        Assert.Empty(await api.AccountDocumentsOfAsync(b));
        Assert.Empty(await api.StripeCustomersOfAsync(b));
        var aAfter = Assert.Single(await api.AccountDocumentsOfAsync(a));
        Assert.Equal(aBefore.GetProperty("version").GetInt64(), aAfter.GetProperty("version").GetInt64());
        Assert.Single(await api.StripeCustomersOfAsync(a));
    }

    [Fact]
    public async Task A_token_naming_no_usable_account_is_forbidden_and_cannot_reach_any_account()
    {
        var a = BillingApiFixture.NewAccountId();
        await api.SeedAsync(a, account => SeededStates.Subscribed(account, SubscriptionStatus.Active, DateTimeOffset.UtcNow.AddDays(-5)));

        var noAccount = api.Token(a, r => r with { AccountClaim = "email" });
        var response = await api.GetAsync($"/api/billing/subscription?accountId={a}", noAccount);

        var problem = response.ShouldBeProblem(HttpStatusCode.Forbidden);
        Assert.DoesNotContain(a, response.Body, StringComparison.Ordinal);
        Assert.Equal("The token has no 'sub' claim to name its billing account (Auth:AccountClaim).", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_token_whose_account_claim_names_two_accounts_acts_for_neither()
    {
        var a = BillingApiFixture.NewAccountId();
        var b = BillingApiFixture.NewAccountId();
        await api.SeedAsync(a, account => SeededStates.Subscribed(account, SubscriptionStatus.Active, DateTimeOffset.UtcNow.AddDays(-5)));

        // "sub": [a, b] in the token's payload: the token handler refuses a subject that is not one string (401); an
        // array in another account claim (org_id) names no caller (403, BillingCallerTests).
        var both = api.Token(a, r => r with { OtherClaims = [("sub", b)] });
        var subscription = await api.GetAsync("/api/billing/subscription", both);
        var checkout = await api.PostAsync("/api/billing/checkout", both, """{"plan":"PRO","interval":"month"}""");

        subscription.ShouldBeProblem(HttpStatusCode.Unauthorized);
        checkout.ShouldBeProblem(HttpStatusCode.Unauthorized);
        Assert.Empty(await api.AccountDocumentsOfAsync(b));
        Assert.Empty(await api.StripeCustomersOfAsync(a));
    }
}
