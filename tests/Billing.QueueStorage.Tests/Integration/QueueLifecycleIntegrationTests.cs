using System.Net;
using Billing.QueueStorage.Tests.Support;
using Billing.TestSupport;

namespace Billing.QueueStorage.Tests.Integration;

public sealed class QueueLifecycleIntegrationTests
{
    [Fact]
    public async Task Create_is_idempotent()
    {
        var service = QueueServiceClient.FromConnectionString((await LocalEmulators.GetAsync()).StorageConnectionString);
        var queue = service.GetQueueClient(AzuriteQueue.UniqueName());
        try
        {
            Assert.True(await queue.CreateIfNotExistsAsync());
            Assert.False(await queue.CreateIfNotExistsAsync());
            Assert.Equal(0, await queue.GetApproximateMessageCountAsync());
        }
        finally
        {
            await queue.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task Delete_removes_the_queue_and_later_calls_fail_with_QueueNotFound()
    {
        await using var azurite = await AzuriteQueue.CreateAsync();
        await azurite.Queue.SendAsync("soon gone");

        Assert.True(await azurite.Queue.DeleteIfExistsAsync());
        Assert.False(await azurite.Queue.DeleteIfExistsAsync());

        var error = await Assert.ThrowsAsync<QueueStorageException>(() => azurite.Queue.SendAsync("too late"));
        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Equal(QueueStorageErrorCodes.QueueNotFound, error.ErrorCode);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
    }

    [Fact]
    public async Task A_wrong_account_key_fails_with_AuthenticationFailed_and_the_key_stays_out_of_the_error()
    {
        const string wrongKey = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";
        var connectionString = (await LocalEmulators.GetAsync()).StorageConnectionString.Replace(LocalEmulators.AzuriteAccountKey, wrongKey, StringComparison.Ordinal);
        var queue = QueueServiceClient.FromConnectionString(connectionString).GetQueueClient(AzuriteQueue.UniqueName());

        var error = await Assert.ThrowsAsync<QueueStorageException>(() => queue.CreateIfNotExistsAsync());

        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.Equal(QueueStorageErrorCodes.AuthenticationFailed, error.ErrorCode);
        Assert.DoesNotContain(wrongKey, error.ToString(), StringComparison.Ordinal);
    }
}
