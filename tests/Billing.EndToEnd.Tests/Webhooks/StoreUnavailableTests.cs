using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;
using Xunit.Abstractions;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>
/// When the store (Cosmos DB), and Stripe, cannot be reached: the webhook must not answer 200, and no API answers 500.
/// The tests share one app whose store address refuses connections (<see cref="DownStackFixture"/>): none of them can
/// change what the others see.
/// </summary>
public sealed class StoreUnavailableTests(StoreUnavailableTests.DownStackFixture fixture, ITestOutputHelper output) : IClassFixture<StoreUnavailableTests.DownStackFixture>
{
    [Fact]
    public async Task The_webhook_answers_503_so_stripe_delivers_again()
    {
        var id = SignedWebhook.NewEventId();
        var body = SignedWebhook.Event(id, "invoice.paid", """{"id":"in_5","object":"invoice","customer":"cus_r"}""");
        var watch = Stopwatch.StartNew();

        using var response = await fixture.Stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret));

        output.WriteLine($"answered in {watch.Elapsed}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unavailable", problem.RootElement.GetProperty("code").GetString());
        // The app's log reaches its captured output after the answer (worker console -> host -> this process): wait for it
        await fixture.Stack.App.WaitForOutputAsync($"Stripe event {id} (invoice.paid) could not be stored or queued", timeout: TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("/api/billing/subscription", false)]
    [InlineData("/api/billing/usage?period=current", false)]
    [InlineData("/api/billing/credits", false)]
    [InlineData("/api/billing/admin/accounts", true)]
    [InlineData("/api/billing/admin/accounts/acct-down", true)]
    public async Task Reads_answer_503_with_retry_after_while_the_store_cannot_be_reached(string path, bool admin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DevelopmentTokens.For("acct-down", admin));

        using var response = await fixture.Stack.App.Http.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.NotNull(response.Headers.RetryAfter);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("unavailable", problem.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_plan_catalog_answers_without_prices_and_uncached_while_stripe_cannot_be_reached()
    {
        using var response = await fixture.Stack.App.Http.GetAsync(new Uri("/api/billing/plans", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(body.RootElement.GetProperty("pricesAvailable").GetBoolean());
        Assert.All(body.RootElement.GetProperty("plans").EnumerateArray(), p => Assert.Empty(p.GetProperty("prices").EnumerateArray()));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    /// <summary>One app without a Stripe emulator, its Cosmos DB connection pointed at a port that refuses connections.</summary>
    public sealed class DownStackFixture : SharedStackFixture
    {
        private readonly RefusingPort _storeDown = FreePort.Refusing();

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            _storeDown.Dispose();
        }

        private protected override Task<WebhookStack> StartAsync() =>
            WebhookStack.StartAsync(emulator: false, configure: s =>
            {
                s["Billing__Cosmos__ConnectionString"] = LocalEmulators.CosmosServerConnectionString(_storeDown.Port, _storeDown.Host);
                s["Billing__Cosmos__ProvisionOnStartup"] = "false";
            });
    }
}
