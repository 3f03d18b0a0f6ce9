using System.Net;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>POST /api/billing/portal: 409 before the account has a Stripe customer, an emulator portal URL after.</summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class PortalTests(BillingApiFixture api)
{
    [Fact]
    public async Task The_portal_is_refused_with_409_before_any_customer_exists_and_nothing_is_written()
    {
        var accountId = BillingApiFixture.NewAccountId();

        var problem = (await api.PostAsync("/api/billing/portal", api.Token(accountId))).ShouldBeProblem(HttpStatusCode.Conflict);

        Assert.Equal("no_stripe_customer", problem.GetProperty("code").GetString());
        Assert.Empty(await api.AccountDocumentsOfAsync(accountId));
        Assert.Empty(await api.StripeCustomersOfAsync(accountId));
    }

    [Fact]
    public async Task The_portal_is_refused_for_an_account_that_exists_without_a_customer()
    {
        var accountId = BillingApiFixture.NewAccountId();
        (await api.PostAsync("/api/billing/trial", api.Token(accountId))).ShouldBe(HttpStatusCode.OK);

        (await api.PostAsync("/api/billing/portal", api.Token(accountId), "{}")).ShouldBeProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task After_a_checkout_the_portal_opens_on_the_emulator_for_the_accounts_customer()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var token = api.Token(accountId);
        (await api.PostAsync("/api/billing/checkout", token, """{"plan":"PRO","interval":"month"}""")).ShouldBe(HttpStatusCode.OK);

        var withDefault = (await api.PostAsync("/api/billing/portal", token)).ShouldBe(HttpStatusCode.OK);
        var withReturnUrl = (await api.PostAsync("/api/billing/portal", token, """{"returnUrl":"http://localhost:3000/settings"}""")).ShouldBe(HttpStatusCode.OK);

        var portalBase = new Uri(api.Stripe.ApiBase, "/billing_portal/").ToString();
        Assert.StartsWith(portalBase, withDefault.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.StartsWith(portalBase, withReturnUrl.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(withDefault.GetProperty("url").GetString(), withReturnUrl.GetProperty("url").GetString());
        Assert.True((await api.GetAsync("/api/billing/subscription", token)).ShouldBe(HttpStatusCode.OK).GetProperty("portalAvailable").GetBoolean());
    }
}
