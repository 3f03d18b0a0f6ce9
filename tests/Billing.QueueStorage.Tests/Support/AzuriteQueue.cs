using Billing.TestSupport;

namespace Billing.QueueStorage.Tests.Support;

/// <summary>A fresh, uniquely named queue in Azurite for one test; deleted afterwards.</summary>
internal sealed class AzuriteQueue : IAsyncDisposable
{
    private AzuriteQueue(string connectionString, QueueServiceClient service, QueueClient queue)
    {
        ConnectionString = connectionString;
        Service = service;
        Queue = queue;
    }

    public string ConnectionString { get; }

    public QueueServiceClient Service { get; }

    public QueueClient Queue { get; }

    public static string UniqueName() => "test-" + Guid.NewGuid().ToString("N");

    public static async Task<AzuriteQueue> CreateAsync()
    {
        var connectionString = (await LocalEmulators.GetAsync()).StorageConnectionString;
        var service = QueueServiceClient.FromConnectionString(connectionString);
        var queue = service.GetQueueClient(UniqueName());
        Assert.True(await queue.CreateIfNotExistsAsync());
        return new AzuriteQueue(connectionString, service, queue);
    }

    /// <summary>Receives until a message shows up or <paramref name="within"/> has passed.</summary>
    public async Task<ReceivedMessage?> ReceiveOneWithinAsync(TimeSpan within, TimeSpan visibilityTimeout)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (true)
        {
            var messages = await Queue.ReceiveAsync(1, visibilityTimeout);
            if (messages.Count > 0 || DateTimeOffset.UtcNow > deadline)
            {
                return messages.SingleOrDefault();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    public async ValueTask DisposeAsync() => await Queue.DeleteIfExistsAsync();
}
