using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Billing.Domain.Accounts;
using Billing.Domain.Subscriptions;
using Billing.EndToEnd.Tests.Support;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>Re-sync (admin API and CLI): the remedy when the app never heard of a checkout. Webhooks are not registered here.</summary>
public sealed class AccountResyncTests(AccountResyncTests.StackFixture fixture) : IClassFixture<AccountResyncTests.StackFixture>
{
    private WebhookStack Stack => fixture.Stack;

    [Fact]
    public async Task The_cli_resyncs_an_account_whose_events_were_all_missed()
    {
        var accountId = "e2e-" + Guid.NewGuid().ToString("N")[..12];
        await Stack.Data.Accounts.GetOrCreateAsync(AccountId.Parse(accountId), CancellationToken.None);
        var customer = await Stack.CreateCustomerAsync(accountId);
        var session = await Stack.CheckoutAsync(accountId, customer.Id, "price_pro_monthly");
        Assert.Null((await Stack.Data.AccountAsync(accountId))!.Subscription); // nothing arrived

        var run = await CliRun.RunAsync("admin", "resync", "--account", accountId, "--url", Stack.App.BaseAddress.ToString(), "--settings", CliRun.DevelopmentSettings);

        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        using var body = JsonDocument.Parse(run.Output);
        Assert.Equal(customer.Id, body.RootElement.GetProperty("customerId").GetString());
        Assert.Equal("active", body.RootElement.GetProperty("subscription").GetProperty("status").GetString());
        Assert.Equal("PRO", body.RootElement.GetProperty("entitlement").GetProperty("planCode").GetString());
        var account = (await Stack.Data.AccountAsync(accountId))!;
        Assert.Equal(session.SubscriptionId!, account.Subscription!.SubscriptionId);
        Assert.Equal(SubscriptionStatus.Active, account.Subscription.Status);
        Assert.Equal(AccountId.Parse(accountId), await Stack.Data.Links.FindAccountIdAsync(customer.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Resync_answers_404_for_an_unknown_account_and_409_without_a_stripe_customer()
    {
        var token = await AdminTokenAsync(admin: true);
        var fresh = "e2e-" + Guid.NewGuid().ToString("N")[..12];
        await Stack.Data.Accounts.GetOrCreateAsync(AccountId.Parse(fresh), CancellationToken.None);

        using var unknown = await PostAsync($"/api/billing/admin/accounts/nobody-{Guid.NewGuid():N}/resync", token);
        using var noCustomer = await PostAsync($"/api/billing/admin/accounts/{fresh}/resync", token);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, noCustomer.StatusCode);
        Assert.Equal("application/problem+json", noCustomer.Content.Headers.ContentType?.MediaType);

        // The same code has the same title wherever it is answered (the portal answers no_stripe_customer too)
        using var notFound = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync());
        using var conflict = JsonDocument.Parse(await noCustomer.Content.ReadAsStringAsync());
        Assert.Equal(("account_not_found", "No such account."), (notFound.RootElement.GetProperty("code").GetString(), notFound.RootElement.GetProperty("title").GetString()));
        Assert.Equal(("no_stripe_customer", "The account has no Stripe customer yet."), (conflict.RootElement.GetProperty("code").GetString(), conflict.RootElement.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task Resync_answers_409_when_the_accounts_stripe_customer_is_linked_to_another_account_and_changes_nothing()
    {
        var token = await AdminTokenAsync(admin: true);
        var owner = "e2e-" + Guid.NewGuid().ToString("N")[..12];
        var claimant = "e2e-" + Guid.NewGuid().ToString("N")[..12];
        await Stack.Data.Accounts.GetOrCreateAsync(AccountId.Parse(claimant), CancellationToken.None);
        var customer = await Stack.CreateCustomerAsync(claimant); // Stripe's metadata names the claimant ...
        await Stack.Data.Links.LinkAsync(customer.Id, AccountId.Parse(owner), CancellationToken.None); // ... the link another account

        using var answer = await PostAsync($"/api/billing/admin/accounts/{claimant}/resync", token);

        Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(
            ("customer_linked_to_other_account", "The Stripe customer belongs to another account.", $"Stripe customer {customer.Id} is linked to another account; nothing was changed."),
            (problem.RootElement.GetProperty("code").GetString(), problem.RootElement.GetProperty("title").GetString(), problem.RootElement.GetProperty("detail").GetString()));
        Assert.Null((await Stack.Data.AccountAsync(claimant))!.StripeCustomerId);
        Assert.Equal(AccountId.Parse(owner), await Stack.Data.Links.FindAccountIdAsync(customer.Id, CancellationToken.None));
    }

    [Fact]
    public async Task The_admin_endpoints_need_a_token_with_the_admin_role()
    {
        using var anonymous = await Stack.App.Http.GetAsync(new Uri("/api/billing/admin/poison", UriKind.Relative));
        using var user = await GetAsync("/api/billing/admin/poison", await AdminTokenAsync(admin: false));
        using var admin = await GetAsync("/api/billing/admin/poison", await AdminTokenAsync(admin: true));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, user.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        using var listing = JsonDocument.Parse(await admin.Content.ReadAsStringAsync());
        Assert.Equal(Stack.QueueName + "-poison", listing.RootElement.GetProperty("queue").GetString());
    }

    private static async Task<string> AdminTokenAsync(bool admin)
    {
        string[] arguments = admin
            ? ["token", "--account", "ops-1", "--admin", "--settings", CliRun.DevelopmentSettings]
            : ["token", "--account", "user-1", "--settings", CliRun.DevelopmentSettings];
        var run = await CliRun.RunAsync(arguments);
        Assert.True(run.ExitCode == 0, run.Error);
        return run.Output.Trim();
    }

    private Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Stack.App.Http.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostAsync(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Stack.App.Http.SendAsync(request);
    }

    /// <summary>One app and emulator for these tests; the app's webhook URL is not registered, so it hears nothing by itself.</summary>
    public sealed class StackFixture : SharedStackFixture
    {
        private protected override Task<WebhookStack> StartAsync() => WebhookStack.StartAsync(registerWebhook: false);
    }
}
