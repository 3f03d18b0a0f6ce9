using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;
using Xunit.Abstractions;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>When the event store (Cosmos DB) cannot be reached the webhook must not answer 200.</summary>
public sealed class StoreUnavailableTests(ITestOutputHelper output) : IAsyncLifetime
{
    private WebhookStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await WebhookStack.StartAsync(emulator: false, configure: s =>
        {
            s["Billing__Cosmos__ConnectionString"] = LocalEmulators.CosmosServerConnectionString(FreePort.Next()); // nothing listens there
            s["Billing__Cosmos__ProvisionOnStartup"] = "false";
        });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task The_webhook_answers_503_so_stripe_delivers_again()
    {
        var id = SignedWebhook.NewEventId();
        var body = SignedWebhook.Event(id, "invoice.paid", """{"id":"in_5","object":"invoice","customer":"cus_r"}""");
        var watch = Stopwatch.StartNew();

        using var response = await _stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret));

        output.WriteLine($"answered in {watch.Elapsed}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unavailable", problem.RootElement.GetProperty("code").GetString());
        Assert.Contains($"Stripe event {id} (invoice.paid) could not be stored or queued", _stack.App.Output, StringComparison.Ordinal);
    }
}
