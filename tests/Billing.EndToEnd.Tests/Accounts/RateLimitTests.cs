using System.Net;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>Per-account limits on the functions that call Stripe (Billing:RateLimits:RequestsPerMinute, per instance).</summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class RateLimitTests(BillingApiFixture api)
{
    [Fact]
    public async Task Past_the_limit_an_account_gets_429_with_Retry_After_while_other_accounts_are_unaffected()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var token = api.Token(accountId);

        for (var i = 0; i < BillingApiFixture.RequestsPerMinute; i++)
        {
            (await api.PostAsync("/api/billing/portal", token)).ShouldBeProblem(HttpStatusCode.Conflict); // no Stripe customer yet
        }

        var limited = await api.PostAsync("/api/billing/portal", token);
        var other = await api.PostAsync("/api/billing/portal", api.Token(BillingApiFixture.NewAccountId()));

        Assert.Equal("rate_limited", limited.ShouldBeProblem(HttpStatusCode.TooManyRequests).GetProperty("code").GetString());
        Assert.InRange(int.Parse(limited.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("Retry-After", limited.Header("Access-Control-Expose-Headers")); // readable by a page on another origin
        other.ShouldBeProblem(HttpStatusCode.Conflict);
    }
}
