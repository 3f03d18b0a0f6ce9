using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Billing.Application.Accounts;
using Billing.Cli.Tokens;
using Billing.Cosmos.DependencyInjection;
using Billing.Cosmos.Documents;
using Billing.Domain.Accounts;
using Billing.TestSupport;
using Azure.Storage.Queues;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>
/// One Stripe emulator and one function app process (Development settings, wired to the emulator, its own Cosmos
/// database and queue) shared by the billing API tests; each test uses fresh account ids. Also gives the tests the
/// app's Cosmos store (to seed state that webhooks would set, and to count documents), raw access to the emulator's
/// API, and tokens minted with the app's development key.
/// </summary>
public class BillingApiFixture : IAsyncLifetime
{
    public const string AllowedOrigin = "http://localhost:3000";

    /// <summary>The app's per-account limit in these tests (above the 20-way concurrency tests; each test uses new accounts).</summary>
    public const int RequestsPerMinute = 30;

    private ServiceProvider? _cosmos;

    public FunctionAppProcess App { get; private set; } = null!;

    public StripeEmulatorProcess Stripe { get; private set; } = null!;

    /// <summary>The settings the app runs with.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; private set; } = null!;

    /// <summary>The app's <c>billing-notifications</c> queue (unique to this app).</summary>
    public QueueClient Notifications { get; private set; } = null!;

    public DevelopmentAuthSettings Auth { get; } =
        DevelopmentAuthSettings.FindFrom(RepoPaths.RepoRoot) ?? throw new InvalidOperationException("No development Auth settings in the function app's appsettings.Development.json.");

    public IBillingAccountStore AccountStore => Cosmos.GetRequiredService<IBillingAccountStore>();

    /// <summary>Stripe's API on the emulator, authenticated with the app's secret key.</summary>
    public HttpClient StripeApi { get; private set; } = null!;

    private ServiceProvider Cosmos => _cosmos ?? throw new InvalidOperationException("Fixture not initialised.");

    public async Task InitializeAsync()
    {
        var emulators = await LocalEmulators.GetAsync();
        Stripe = await StripeEmulatorProcess.StartAsync();
        var settings = FunctionAppSettings.ForEmulators(emulators);
        var store = await StoreConnectionStringAsync(emulators);
        settings["Billing__Cosmos__ConnectionString"] = store;
        settings["Stripe__ApiBase"] = Stripe.ApiBase.ToString().TrimEnd('/');
        settings["Stripe__SecretKey"] = StripeEmulatorProcess.SecretKey;
        settings["Billing__RateLimits__RequestsPerMinute"] = RequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        App = await FunctionAppProcess.StartAsync(settings, corsOrigins: AllowedOrigin);
        Settings = settings;
        Notifications = TestQueues.Client(emulators.StorageConnectionString, settings["BILLING_NOTIFICATIONS_QUEUE"]!);

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddBillingCosmos(options =>
        {
            options.ConnectionString = store;
            options.DatabaseName = settings["Billing__Cosmos__DatabaseName"]!;
        });
        _cosmos = services.BuildServiceProvider();

        StripeApi = new HttpClient { BaseAddress = Stripe.ApiBase, Timeout = TimeSpan.FromSeconds(30) };
        StripeApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StripeEmulatorProcess.SecretKey);
    }

    /// <summary>The Cosmos server the app stores in: the test command's shared one unless a fixture starts its own.</summary>
    protected virtual Task<string> StoreConnectionStringAsync(LocalEmulators emulators) => Task.FromResult(emulators.CosmosConnectionString);

    public virtual async Task DisposeAsync()
    {
        StripeApi?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Stripe is not null)
        {
            await Stripe.DisposeAsync();
        }

        if (_cosmos is not null)
        {
            await _cosmos.GetRequiredService<BillingContainers>().Accounts.Database.DeleteStreamAsync();
            await _cosmos.DisposeAsync();
        }
    }

    public static string NewAccountId() => "e2e-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>A token the app accepts for <paramref name="accountId"/>; <paramref name="shape"/> bends it (expired, wrong audience...).</summary>
    public string Token(string accountId, Func<DevelopmentTokenFactory.Request, DevelopmentTokenFactory.Request>? shape = null)
    {
        var request = Auth.TokenRequest(accountId);
        return DevelopmentTokenFactory.Create(shape?.Invoke(request) ?? request);
    }

    /// <summary>Calls the app. <paramref name="json"/> is sent as is (raw text, so malformed bodies can be sent).</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? token = null, string? json = null, string contentType = "application/json", string? origin = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await App.Http.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    public Task<ApiResponse> GetAsync(string path, string? token) => SendAsync(HttpMethod.Get, path, token);

    /// <summary>A client-credentials style token carrying the service scope (no account claim).</summary>
    public string ServiceToken() => Token(null!, r => r with { AccountId = null, Scopes = [ServiceCredentials.Scope], AuthorizedParty = ServiceCredentials.ClientId });

    /// <summary>Calls a service endpoint with the test API key (or <paramref name="apiKey"/>; null: none).</summary>
    public async Task<ApiResponse> ServiceAsync(HttpMethod method, string path, string? json = null, string? apiKey = ServiceCredentials.ApiKey, string? token = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (apiKey is not null)
        {
            request.Headers.Add(ServiceCredentials.ApiKeyHeader, apiKey);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await App.Http.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    /// <summary>Registers a new account through the service API and returns its id.</summary>
    public async Task<string> RegisterAsync(string? accountId = null)
    {
        accountId ??= NewAccountId();
        (await ServiceAsync(HttpMethod.Put, $"/api/accounts/{accountId}")).ShouldBe(System.Net.HttpStatusCode.Created);
        return accountId;
    }

    /// <summary>Every stored document of the account's partition, any kind (usage counters, idempotency keys, allocations...).</summary>
    public async Task<IReadOnlyList<JsonElement>> PartitionDocumentsOfAsync(string accountId) =>
        [.. (await ReadAllAsync(Cosmos.GetRequiredService<BillingContainers>().Accounts))
            .Where(d => d.GetProperty("accountId").GetString() == accountId)];

    public Task<ApiResponse> PostAsync(string path, string? token, string? json = null) => SendAsync(HttpMethod.Post, path, token, json);

    /// <summary>The Stripe customers tagged with the account (the emulator's search is immediately consistent).</summary>
    public async Task<IReadOnlyList<JsonElement>> StripeCustomersOfAsync(string accountId)
    {
        var query = Uri.EscapeDataString($"metadata['account_id']:'{accountId}'");
        var page = await StripeGetAsync($"/v1/customers/search?limit=100&query={query}");
        return [.. page.GetProperty("data").EnumerateArray()];
    }

    public Task<JsonElement> CheckoutSessionAsync(string sessionId) =>
        StripeGetAsync($"/v1/checkout/sessions/{sessionId}?expand[]=line_items");

    /// <summary>Pays the session as the customer would and returns the subscription Stripe created.</summary>
    public async Task<JsonElement> CompleteCheckoutAsync(string sessionId)
    {
        var session = await Stripe.ControlAsync($"/_emulator/checkout/sessions/{sessionId}/complete", new Dictionary<string, string> { ["payment_method"] = "succeeding" });
        return await StripeGetAsync($"/v1/subscriptions/{session.GetProperty("subscription").GetString()}");
    }

    public async Task<JsonElement> StripeGetAsync(string pathAndQuery)
    {
        using var response = await StripeApi.GetAsync(new Uri(pathAndQuery, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {pathAndQuery} -> {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The stored account documents of the account (read feed: the local server cannot run queries).</summary>
    public async Task<IReadOnlyList<JsonElement>> AccountDocumentsOfAsync(string accountId) =>
        [.. (await ReadAllAsync(Cosmos.GetRequiredService<BillingContainers>().Accounts))
            .Where(d => d.GetProperty("accountId").GetString() == accountId && d.GetProperty("type").GetString() == "account")];

    /// <summary>The customer -> account links pointing at the account.</summary>
    public async Task<IReadOnlyList<JsonElement>> CustomerLinksOfAsync(string accountId) =>
        [.. (await ReadAllAsync(Cosmos.GetRequiredService<BillingContainers>().StripeCustomers))
            .Where(d => d.GetProperty("accountId").GetString() == accountId)];

    /// <summary>Creates a real customer in the emulator, tagged with the account (as the app would), for seeded states that need one.</summary>
    public async Task<string> CreateStripeCustomerAsync(string accountId)
    {
        using var response = await StripeApi.PostAsync(
            new Uri("/v1/customers", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["metadata[account_id]"] = accountId }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Stores the account shaped by <paramref name="shape"/>, as webhook processing would have left it.</summary>
    public async Task<BillingAccount> SeedAsync(string accountId, Func<BillingAccount, BillingAccount> shape)
    {
        var id = AccountId.Parse(accountId);
        await AccountStore.GetOrCreateAsync(id, CancellationToken.None);
        return await AccountStore.UpdateAsync(id, shape, CancellationToken.None);
    }

    private static async Task<List<JsonElement>> ReadAllAsync(Container container)
    {
        var all = new List<JsonElement>();
        using var feed = container.GetItemQueryIterator<JsonElement>(queryText: null);
        while (feed.HasMoreResults)
        {
            all.AddRange(await feed.ReadNextAsync());
        }

        return all;
    }
}
