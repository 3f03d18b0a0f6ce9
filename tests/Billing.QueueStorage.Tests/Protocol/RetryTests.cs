using System.Net;
using Billing.QueueStorage.Tests.Support;

namespace Billing.QueueStorage.Tests.Protocol;

public sealed class RetryTests
{
    [Fact]
    public async Task A_503_is_retried_once_and_the_following_201_wins()
    {
        var handler = StubHttpHandler.Statuses(HttpStatusCode.ServiceUnavailable, HttpStatusCode.Created);

        var created = await StubbedQueue.Create(handler).CreateIfNotExistsAsync();

        Assert.True(created);
        Assert.Equal(2, handler.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Other_transient_statuses_are_retried(HttpStatusCode transient)
    {
        var handler = StubHttpHandler.Statuses(transient, HttpStatusCode.NoContent);

        await StubbedQueue.Create(handler).ClearAsync();

        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task Retries_keep_the_client_request_id_and_sign_each_attempt_afresh()
    {
        var clock = new ManualTimeProvider(StubbedQueue.Now);
        var handler = new StubHttpHandler((index, _) =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(StubHttpHandler.Response(index == 0 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.NoContent));
        });

        await StubbedQueue.Create(handler, clock: clock).ClearAsync();

        var requests = handler.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(requests[0].Header("x-ms-client-request-id"), requests[1].Header("x-ms-client-request-id"));
        Assert.True(Guid.TryParse(requests[0].Header("x-ms-client-request-id"), out _));
        Assert.Equal("Sat, 21 Nov 2026 14:28:53 GMT", requests[0].Header("x-ms-date"));
        Assert.Equal("Sat, 21 Nov 2026 14:28:54 GMT", requests[1].Header("x-ms-date"));
        Assert.NotEqual(requests[0].Authorization, requests[1].Authorization);
    }

    [Fact]
    public async Task Three_transient_failures_give_up_with_the_last_status()
    {
        var handler = StubHttpHandler.Statuses(HttpStatusCode.ServiceUnavailable);

        var error = await Assert.ThrowsAsync<QueueStorageException>(() => StubbedQueue.Create(handler).ClearAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.Equal(3, handler.Count);
    }

    [Fact]
    public async Task A_400_is_not_retried()
    {
        var handler = StubHttpHandler.Statuses(HttpStatusCode.BadRequest, HttpStatusCode.NoContent);

        var error = await Assert.ThrowsAsync<QueueStorageException>(() => StubbedQueue.Create(handler).ClearAsync());

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task A_network_failure_is_retried()
    {
        var handler = new StubHttpHandler((index, _) => index == 0
            ? throw new HttpRequestException("connection reset")
            : Task.FromResult(StubHttpHandler.Response(HttpStatusCode.NoContent)));

        await StubbedQueue.Create(handler).ClearAsync();

        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task An_HttpClient_timeout_that_is_not_the_callers_cancellation_is_retried()
    {
        var handler = new StubHttpHandler(async (index, token) =>
        {
            if (index == 0)
            {
                await Task.Delay(Timeout.Infinite, token);
            }

            return StubHttpHandler.Response(HttpStatusCode.NoContent);
        });
        using var httpClient = new HttpClient(handler) { Timeout = TimeSpan.FromMilliseconds(200) };
        var queue = QueueServiceClient.FromConnectionString("UseDevelopmentStorage=true", httpClient).GetQueueClient("orders");

        await queue.ClearAsync();

        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_retried()
    {
        using var cancellation = new CancellationTokenSource();
        var handler = new StubHttpHandler(async (_, token) =>
        {
            await cancellation.CancelAsync();
            await Task.Delay(Timeout.Infinite, token);
            return StubHttpHandler.Response(HttpStatusCode.NoContent);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StubbedQueue.Create(handler).ClearAsync(cancellation.Token));

        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task Cancellation_during_the_backoff_wait_stops_at_once()
    {
        using var cancellation = new CancellationTokenSource();
        var handler = new StubHttpHandler((_, _) =>
        {
            cancellation.Cancel();
            return Task.FromResult(StubHttpHandler.Response(HttpStatusCode.ServiceUnavailable));
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StubbedQueue.Create(handler).ClearAsync(cancellation.Token));

        Assert.Equal(1, handler.Count);
    }
}
