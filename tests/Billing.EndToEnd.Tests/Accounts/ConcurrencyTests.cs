using System.Net;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>Racing first requests for one new account create exactly one account document, one Stripe customer and one open Checkout.</summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class ConcurrencyTests(BillingApiFixture api)
{
    private const int Parallel = 20;

    [Fact]
    public async Task Twenty_parallel_first_checkouts_create_one_account_one_customer_and_one_open_session()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var token = api.Token(accountId);
        using var start = new ManualResetEventSlim();

        var requests = Enumerable.Range(0, Parallel).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await api.PostAsync("/api/billing/checkout", token, """{"plan":"PRO","interval":"month"}""");
        })).ToList();
        start.Set();
        var responses = await Task.WhenAll(requests);

        // One open Checkout per account: every racer gets the same session (Stripe's idempotency on one derived key).
        var sessionIds = responses.Select(r => r.ShouldBe(HttpStatusCode.OK).GetProperty("sessionId").GetString()!).Distinct().ToList();
        Assert.Single(sessionIds);
        var account = Assert.Single(await api.AccountDocumentsOfAsync(accountId));
        var customer = Assert.Single(await api.StripeCustomersOfAsync(accountId)).GetProperty("id").GetString();
        Assert.Equal(customer, account.GetProperty("stripeCustomerId").GetString());
        Assert.Equal(customer, Assert.Single(await api.CustomerLinksOfAsync(accountId)).GetProperty("id").GetString());
        foreach (var sessionId in sessionIds)
        {
            var session = await api.CheckoutSessionAsync(sessionId);
            Assert.Equal(customer, session.GetProperty("customer").GetString());
            Assert.Equal(accountId, session.GetProperty("client_reference_id").GetString());
        }
    }

    [Fact]
    public async Task Twenty_parallel_trial_requests_start_one_trial()
    {
        var accountId = BillingApiFixture.NewAccountId();
        var token = api.Token(accountId);

        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => api.PostAsync("/api/billing/trial", token)));

        Assert.Single(responses, r => r.Status == HttpStatusCode.OK);
        Assert.Equal(Parallel - 1, responses.Count(r => r.Status == HttpStatusCode.Conflict));
        Assert.Single(await api.AccountDocumentsOfAsync(accountId));
    }
}
