using System.Net;
using System.Net.Http.Json;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;
using Xunit.Abstractions;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>
/// When what answers on the store's endpoint is not Cosmos DB, or answers what the SDK cannot read (200 empty, 200 or
/// 404 HTML, 500, a connection closed after the request): no API answers 200, or "not found", as if it had read the
/// store. (They answer 500 today: the SDK fails reading the account's properties, before any document request.)
/// </summary>
[Trait(LongClassesFirst.Trait, LongClassesFirst.LongRunning)]
public sealed class StoreAnswersUnreadableTests(ITestOutputHelper output) : IAsyncLifetime
{
    private volatile string _answer = "500";
    private CannedHttpServer _store = null!;
    private WebhookStack _stack = null!;

    public async Task InitializeAsync()
    {
        // HTTPS, as the SDK talks to a Cosmos endpoint; "close" closes the connection after reading the request.
        _store = new CannedHttpServer(
            () => _answer switch
            {
                "close" => null,
                "200 empty" => new CannedAnswer("200 OK", "application/json", ""),
                "200 html" => new CannedAnswer("200 OK", "text/html", "<html><body>It works!</body></html>"),
                "404 html" => new CannedAnswer("404 Not Found", "text/html", "<html><body>Not Found</body></html>"),
                _ => new CannedAnswer("500 Internal Server Error", "text/plain", "oops"),
            },
            https: true);
        _stack = await WebhookStack.StartAsync(emulator: false, configure: s =>
        {
            s["Billing__Cosmos__ConnectionString"] = LocalEmulators.CosmosServerConnectionString(_store.Port);
            s["Billing__Cosmos__ProvisionOnStartup"] = "false";
        });
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _store.DisposeAsync();
    }

    public static TheoryData<string> Answers => new() { "200 empty", "200 html", "404 html", "500", "close" };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task No_read_or_write_answers_as_if_it_had_read_the_store(string answer)
    {
        _answer = answer;
        var failures = new List<string>();
        foreach (var (path, admin) in new[]
                 {
                     ("/api/billing/subscription", false), ("/api/billing/usage?period=current", false), ("/api/billing/credits", false),
                     ("/api/billing/entitlements", false), ("/api/billing/admin/accounts", true), ("/api/billing/admin/accounts/acct-unreadable", true),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DevelopmentTokens.For("acct-unreadable", admin));
            using var response = await _stack.App.Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            output.WriteLine($"{answer} GET {path}: {(int)response.StatusCode} {body}");
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound)
            {
                failures.Add($"GET {path}: {(int)response.StatusCode} {body}");
            }
        }

        using (var record = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/usage", UriKind.Relative)))
        {
            record.Content = JsonContent.Create(new { accountId = "acct-unreadable", meter = "agent_runs", quantity = 1, idempotencyKey = Guid.NewGuid().ToString() });
            record.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
            using var response = await _stack.App.Http.SendAsync(record);
            var body = await response.Content.ReadAsStringAsync();
            output.WriteLine($"{answer} POST /api/usage: {(int)response.StatusCode} {body}");
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound)
            {
                failures.Add($"POST /api/usage: {(int)response.StatusCode} {body}");
            }
        }

        foreach (var line in _stack.App.Output.Split('\n').Where(l => l.Contains("Exception", StringComparison.Ordinal)).Distinct().Take(40))
        {
            output.WriteLine("app: " + line);
        }

        Assert.True(failures.Count == 0, answer + ":\n" + string.Join("\n", failures));
    }
}

/// <summary>
/// When the store answers, but the database or its containers are not there (deleted, or a wrong database name with
/// provisioning off): Cosmos DB answers 404 to every document request, which must not read as "no such document".
/// The reads share one app (<see cref="MissingDatabaseFixture"/>): they only read, so none changes what another finds.
/// </summary>
public sealed class StoreWithoutDatabaseTests(StoreWithoutDatabaseTests.MissingDatabaseFixture fixture, ITestOutputHelper output) : IClassFixture<StoreWithoutDatabaseTests.MissingDatabaseFixture>
{
    [Theory]
    [InlineData("/api/billing/subscription", false)]
    [InlineData("/api/billing/usage?period=current", false)]
    [InlineData("/api/billing/credits", false)]
    [InlineData("/api/billing/entitlements", false)]
    [InlineData("/api/billing/admin/accounts", true)]
    [InlineData("/api/billing/admin/accounts/acct-nodb", true)]
    public async Task Reads_do_not_answer_as_if_the_account_had_nothing(string path, bool admin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DevelopmentTokens.For("acct-nodb", admin));

        using var response = await fixture.Stack.App.Http.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{(int)response.StatusCode} {body}");
        // Never 200 with a free plan and nothing used, or 404 "no such account": 503 unavailable, for point reads and
        // queries (the admin account list) alike.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    /// <summary>One app without a Stripe emulator on the Cosmos server, its database never created (provisioning off).</summary>
    public sealed class MissingDatabaseFixture : SharedStackFixture
    {
        private protected override Task<WebhookStack> StartAsync() =>
            WebhookStack.StartAsync(emulator: false, configure: s =>
            {
                s["Billing__Cosmos__DatabaseName"] = "missing-" + Guid.NewGuid().ToString("N");
                s["Billing__Cosmos__ProvisionOnStartup"] = "false";
            });
    }
}
