using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Domain.Accounts;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Admin;

/// <summary>
/// The operator views end to end: accounts made through the app's own paths (Checkout with webhooks, registration,
/// usage) are listed with filters and paged without gaps or duplicates; one account's detail has its subscription,
/// usage and Stripe events; every admin route refuses a non-admin token; a user never sees another tenant's data.
/// </summary>
public sealed class OperatorViewsTests(OperatorViewsTests.StackFixture fixture) : IClassFixture<OperatorViewsTests.StackFixture>
{
    /// <summary>Every admin route of the app (method, path), as the OpenAPI document describes them (a test there checks it lists every function).</summary>
    private static readonly IReadOnlyList<(HttpMethod Method, string Path)> AdminRoutes = OpenApiContract.Operations("/api/billing/admin/", "someone");

    private WebhookStack Stack => fixture.Stack;

    [Fact]
    public async Task Filters_and_a_cursor_walk_every_account_once_and_the_detail_has_subscription_usage_and_events()
    {
        var tag = "adm" + Guid.NewGuid().ToString("N")[..8];
        var paid = $"{tag}-paid";
        var free = Enumerable.Range(1, 4).Select(i => $"{tag}-free{i}").ToList();
        foreach (var account in free)
        {
            using var registered = await SendAsync(HttpMethod.Put, $"/api/accounts/{account}", apiKey: true);
            Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        }

        using (var usage = await SendAsync(HttpMethod.Post, "/api/usage", apiKey: true, body: new { accountId = free[0], meter = "agent_runs", quantity = 3, idempotencyKey = "k-" + tag }))
        {
            Assert.True(usage.IsSuccessStatusCode, await usage.Content.ReadAsStringAsync());
        }

        await Stack.Data.Accounts.GetOrCreateAsync(AccountId.Parse(paid), CancellationToken.None);
        var customer = await Stack.CreateCustomerAsync(paid);
        await Stack.CheckoutAsync(paid, customer.Id, "price_pro_monthly");
        await Stack.Data.WaitForAccountAsync(paid, a => a.Subscription?.Status.Value == "active", "the PRO subscription applied");
        var admin = await TokenAsync("ops-1", admin: true);

        var all = await WalkAsync($"/api/billing/admin/accounts?q={tag}&limit=2", admin);
        var pro = await WalkAsync($"/api/billing/admin/accounts?q={tag}&plan=PRO", admin);
        var none = await WalkAsync($"/api/billing/admin/accounts?q={tag}&status=none&limit=3", admin);
        using (var firstPage = await SendAsync(HttpMethod.Get, $"/api/billing/admin/accounts?q={tag}&limit=2", token: admin))
        {
            var cursor = (await CheckedJsonAsync(firstPage, "/api/billing/admin/accounts")).GetProperty("nextCursor").GetString()!;
            using var otherFilters = await SendAsync(HttpMethod.Get, $"/api/billing/admin/accounts?q={tag}&plan=PRO&limit=2&cursor={Uri.EscapeDataString(cursor)}", token: admin);
            Assert.Equal(HttpStatusCode.BadRequest, otherFilters.StatusCode); // a position in another filtered list
            Assert.Contains("other filters", await otherFilters.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }


        Assert.Equal([.. free, paid], all.Select(a => a.GetProperty("accountId").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(paid, Assert.Single(pro).GetProperty("accountId").GetString());
        Assert.Equal("active", pro[0].GetProperty("status").GetString());
        Assert.Equal(customer.Id, pro[0].GetProperty("stripeCustomerId").GetString());
        Assert.Equal(free, none.Select(a => a.GetProperty("accountId").GetString()));
        var used = all.Single(a => a.GetProperty("accountId").GetString() == free[0]).GetProperty("usage").GetProperty("meters").EnumerateArray()
            .Single(m => m.GetProperty("meter").GetString() == "agent_runs");
        Assert.Equal(3, used.GetProperty("used").GetInt64());

        using var detail = await SendAsync(HttpMethod.Get, $"/api/billing/admin/accounts/{paid}", token: admin);
        var body = await CheckedJsonAsync(detail, $"/api/billing/admin/accounts/{paid}");
        Assert.Equal("PRO", body.GetProperty("plan").GetString());
        var subscriptionId = body.GetProperty("subscription").GetProperty("subscriptionId").GetString();
        var stripe = body.GetProperty("stripe");
        Assert.True(stripe.GetProperty("asked").GetBoolean() && stripe.GetProperty("reachable").GetBoolean());
        Assert.Equal(subscriptionId, Assert.Single(stripe.GetProperty("subscriptions").EnumerateArray()).GetProperty("subscriptionId").GetString());
        Assert.Equal("PRO", body.GetProperty("currentUsage").GetProperty("plan").GetProperty("code").GetString());
        Assert.Contains(body.GetProperty("events").EnumerateArray(), e => e.GetProperty("status").GetString() == "applied");
        Assert.True(body.GetProperty("credits").GetProperty("available").GetBoolean());
        Assert.Empty(body.GetProperty("credits").GetProperty("balance").EnumerateArray()); // never bought credit

        var cli = await CliRun.RunAsync("admin", "accounts", "--q", tag, "--plan", "PRO", "--url", Stack.App.BaseAddress.ToString(), "--settings", CliRun.DevelopmentSettings);
        Assert.True(cli.ExitCode == 0, cli.Error + cli.Output);
        Assert.Contains(paid, cli.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(free[0], cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_invoice_listing_answers_a_page_and_refuses_a_bad_period_or_cursor()
    {
        var admin = await TokenAsync("ops-1", admin: true);

        using var page = await SendAsync(HttpMethod.Get, "/api/billing/admin/invoices?period=2026-11&status=open&limit=5", token: admin);
        using var badPeriod = await SendAsync(HttpMethod.Get, "/api/billing/admin/invoices?period=2026-13", token: admin);
        using var badCursor = await SendAsync(HttpMethod.Get, "/api/billing/admin/accounts?cursor=bm90LWEtY3Vyc29y", token: admin);

        await CheckedJsonAsync(page, "/api/billing/admin/invoices");
        Assert.Equal(HttpStatusCode.BadRequest, badPeriod.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        Assert.Equal("application/problem+json", badCursor.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_invoice_run_that_does_not_exist_is_a_404_invoice_run_not_found_and_a_malformed_id_a_400()
    {
        var admin = await TokenAsync("ops-1", admin: true);

        using var unknownRun = await SendAsync(HttpMethod.Get, "/api/billing/admin/invoices/runs/nobody-e2e%3Amonth-2026-11", token: admin);
        using var unknownInvoice = await SendAsync(HttpMethod.Get, "/api/billing/admin/invoices/runs/in_e2eunknown", token: admin);
        using var malformed = await SendAsync(HttpMethod.Get, "/api/billing/admin/invoices/runs/neither", token: admin);

        foreach (var (response, id) in new[] { (unknownRun, "nobody-e2e:month-2026-11"), (unknownInvoice, "in_e2eunknown") })
        {
            Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(
                ("invoice_run_not_found", "No such invoice run.", $"No invoice run has the id or Stripe invoice '{id}'.", 404),
                (problem.GetProperty("code").GetString(), problem.GetProperty("title").GetString(), problem.GetProperty("detail").GetString(), problem.GetProperty("status").GetInt32()));
        }

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("invalid_request", JsonDocument.Parse(await malformed.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Every_admin_route_refuses_a_user_token_with_403()
    {
        var user = await TokenAsync("user-" + Guid.NewGuid().ToString("N")[..8], admin: false);

        Assert.True(AdminRoutes.Count >= 10, $"Only {AdminRoutes.Count} admin operations found in the OpenAPI document.");
        foreach (var (method, path) in AdminRoutes)
        {
            using var response = await SendAsync(method, path, token: user, body: method == HttpMethod.Post ? new { all = true } : null);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_user_reads_only_their_own_account_never_another_tenants()
    {
        var (mine, theirs) = ("me-" + Guid.NewGuid().ToString("N")[..8], "them-" + Guid.NewGuid().ToString("N")[..8]);
        using (var registered = await SendAsync(HttpMethod.Put, $"/api/accounts/{theirs}", apiKey: true))
        {
            Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        }

        using (var usage = await SendAsync(HttpMethod.Post, "/api/usage", apiKey: true, body: new { accountId = theirs, meter = "agent_runs", quantity = 7, idempotencyKey = "k-" + theirs }))
        {
            Assert.True(usage.IsSuccessStatusCode, await usage.Content.ReadAsStringAsync());
        }

        var token = await TokenAsync(mine, admin: false);
        foreach (var path in (string[])["/api/billing/usage", "/api/billing/subscription", "/api/billing/invoices", "/api/billing/entitlements"])
        {
            using var response = await SendAsync(HttpMethod.Get, path, token: token);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{path}: {text}");
            Assert.DoesNotContain(theirs, text, StringComparison.Ordinal);
        }

        using var own = await SendAsync(HttpMethod.Get, "/api/billing/usage", token: token);
        var used = (await CheckedJsonAsync(own, "/api/billing/usage")).GetProperty("periods")[0].GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == "agent_runs");
        Assert.Equal(0, used.GetProperty("used").GetInt64());
    }

    /// <summary>Follows nextCursor to the end; asserts every page has the documented shape and no account comes twice.</summary>
    private async Task<List<JsonElement>> WalkAsync(string first, string token)
    {
        var rows = new List<JsonElement>();
        var path = first;
        for (var pages = 0; pages < 20; pages++)
        {
            using var response = await SendAsync(HttpMethod.Get, path, token: token);
            var page = await CheckedJsonAsync(response, "/api/billing/admin/accounts");
            rows.AddRange(page.GetProperty("accounts").EnumerateArray());
            if (page.GetProperty("nextCursor").GetString() is not { } cursor)
            {
                Assert.Equal(rows.Count, rows.Select(r => r.GetProperty("accountId").GetString()).Distinct().Count());
                return rows;
            }

            path = $"{first}&cursor={Uri.EscapeDataString(cursor)}";
        }

        throw new Xunit.Sdk.XunitException("The cursor never reached the last page.");
    }

    private static async Task<JsonElement> CheckedJsonAsync(HttpResponseMessage response, string route)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{route}: {(int)response.StatusCode} {text}");
        Assert.Empty(OpenApiContract.Check("get", route.Contains("/accounts/", StringComparison.Ordinal) ? "/api/billing/admin/accounts/{accountId}" : route, response.StatusCode, response.Content.Headers.ContentType?.MediaType, text));
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string> TokenAsync(string account, bool admin)
    {
        string[] arguments = admin
            ? ["token", "--account", account, "--admin", "--settings", CliRun.DevelopmentSettings]
            : ["token", "--account", account, "--settings", CliRun.DevelopmentSettings];
        var run = await CliRun.RunAsync(arguments);
        Assert.True(run.ExitCode == 0, run.Error);
        return run.Output.Trim();
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token = null, bool apiKey = false, object? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (apiKey)
        {
            request.Headers.Add("X-Api-Key", ServiceCredentials.ApiKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Stack.App.Http.SendAsync(request);
    }

    /// <summary>One app with webhooks registered, so Checkout reaches the account through the app's own processing.</summary>
    public sealed class StackFixture : SharedStackFixture
    {
        private protected override Task<WebhookStack> StartAsync() => WebhookStack.StartAsync();
    }
}
