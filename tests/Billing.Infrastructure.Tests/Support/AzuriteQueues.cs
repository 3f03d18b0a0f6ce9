using Azure.Storage.Queues;
using Billing.Infrastructure.Queues;
using Billing.TestSupport;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Tests.Support;

/// <summary>A uniquely named Stripe events queue (and its poison queue) in Azurite for one test; deleted afterwards.</summary>
internal sealed class AzuriteQueues : IAsyncDisposable
{
    public AzuriteQueues()
    {
        var connectionString = LocalEmulators.Storage;
        var name = "test-" + Guid.NewGuid().ToString("N")[..20];
        Queues = new StripeEventQueues(
            QueueServiceFactory.Create(new QueueStorageOptions { ConnectionString = connectionString }),
            Options.Create(new QueueNameOptions { QueueName = name }));

        // What is on the wire, without decoding.
        var raw = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        RawMain = raw.GetQueueClient(Queues.Main.Name);
        RawPoison = raw.GetQueueClient(Queues.Poison.Name);
    }

    public StripeEventQueues Queues { get; }

    public QueueClient RawMain { get; }

    public QueueClient RawPoison { get; }

    /// <summary>The decoded texts of the visible messages (at most 32).</summary>
    public static async Task<List<string>> PeekTextsAsync(QueueClient queue)
    {
        var peeked = await queue.PeekMessagesAsync(32);
        return peeked.Value.Select(m => m.Body.ToString()).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Queues.Main.DeleteIfExistsAsync();
        await Queues.Poison.DeleteIfExistsAsync();
    }
}
