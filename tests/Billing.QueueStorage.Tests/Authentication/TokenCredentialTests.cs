using System.Net;
using Billing.QueueStorage.Tests.Support;

namespace Billing.QueueStorage.Tests.Authentication;

public sealed class TokenCredentialTests
{
    private static readonly Uri ServiceUri = new("https://acme.queue.core.windows.net");
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 21, 14, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Requests_carry_a_bearer_token_for_the_storage_scope()
    {
        var credential = new FakeTokenCredential(_clock);
        var handler = StubHttpHandler.Statuses(HttpStatusCode.Created);
        var queue = new QueueServiceClient(ServiceUri, credential, handler.CreateClient(), _clock).GetQueueClient("orders");

        await queue.CreateIfNotExistsAsync();

        var request = Assert.Single(handler.Requests);
        Assert.Equal("Bearer token-1", request.Authorization);
        Assert.Equal(["https://storage.azure.com/.default"], Assert.Single(credential.RequestedScopes));
        Assert.Equal("https://acme.queue.core.windows.net/orders", request.Uri.ToString());
    }

    [Fact]
    public async Task Token_is_cached_until_five_minutes_before_expiry_then_renewed()
    {
        var credential = new FakeTokenCredential(_clock) { Lifetime = TimeSpan.FromHours(1) };
        var handler = StubHttpHandler.Statuses(HttpStatusCode.NoContent);
        var queue = new QueueServiceClient(ServiceUri, credential, handler.CreateClient(), _clock).GetQueueClient("orders");

        await queue.ClearAsync();
        await queue.ClearAsync();
        _clock.Advance(TimeSpan.FromMinutes(54));
        await queue.ClearAsync();
        Assert.Equal(1, credential.Calls);

        _clock.Advance(TimeSpan.FromMinutes(2)); // 4 minutes before expiry
        await queue.ClearAsync();
        await queue.ClearAsync();

        Assert.Equal(2, credential.Calls);
        Assert.Equal(
            ["Bearer token-1", "Bearer token-1", "Bearer token-1", "Bearer token-2", "Bearer token-2"],
            handler.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task Token_is_renewed_at_the_credentials_suggested_refresh_time_when_that_is_earlier()
    {
        var credential = new FakeTokenCredential(_clock) { Lifetime = TimeSpan.FromHours(24), RefreshAfter = TimeSpan.FromHours(12) };
        var handler = StubHttpHandler.Statuses(HttpStatusCode.NoContent);
        var queue = new QueueServiceClient(ServiceUri, credential, handler.CreateClient(), _clock).GetQueueClient("orders");

        await queue.ClearAsync();
        _clock.Advance(TimeSpan.FromHours(11));
        await queue.ClearAsync();
        _clock.Advance(TimeSpan.FromHours(1));
        await queue.ClearAsync();

        Assert.Equal(["Bearer token-1", "Bearer token-1", "Bearer token-2"], handler.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task Concurrent_requests_share_one_credential_call()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var credential = new FakeTokenCredential(_clock) { Gate = gate };
        var handler = StubHttpHandler.Statuses(HttpStatusCode.NoContent);
        var queue = new QueueServiceClient(ServiceUri, credential, handler.CreateClient(), _clock).GetQueueClient("orders");

        var requests = Enumerable.Range(0, 16).Select(_ => queue.ClearAsync()).ToList();
        await Task.Delay(100);
        gate.SetResult();
        await Task.WhenAll(requests);

        Assert.Equal(1, credential.Calls);
        Assert.All(handler.Requests, r => Assert.Equal("Bearer token-1", r.Authorization));
        Assert.Equal(16, handler.Count);
    }

    [Fact]
    public async Task A_caller_cancelled_while_a_token_is_fetched_stops_waiting_and_sends_nothing()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var credential = new FakeTokenCredential(_clock) { Gate = gate };
        var handler = StubHttpHandler.Statuses(HttpStatusCode.NoContent);
        var queue = new QueueServiceClient(ServiceUri, credential, handler.CreateClient(), _clock).GetQueueClient("orders");
        using var cancellation = new CancellationTokenSource();

        var clearing = queue.ClearAsync(cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => clearing);
        Assert.Equal(0, handler.Count);
        gate.SetResult();
        await queue.ClearAsync();
        Assert.Equal("Bearer token-1", Assert.Single(handler.Requests).Authorization);
    }

    [Fact]
    public void A_plain_http_service_uri_is_refused_so_a_token_never_travels_in_clear_text()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new QueueServiceClient(new Uri("http://acme.queue.core.windows.net"), new FakeTokenCredential(_clock)));

        Assert.Contains("https", error.Message, StringComparison.Ordinal);
    }
}
