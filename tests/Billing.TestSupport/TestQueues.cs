using Azure.Storage.Queues;

namespace Billing.TestSupport;

/// <summary>Queue clients as the Functions host and the app use them: base64 message bodies.</summary>
public static class TestQueues
{
    public static QueueClient Client(string connectionString, string queueName) =>
        new(connectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>The texts of up to 32 messages at the front of the queue (none when it does not exist).</summary>
    public static async Task<IReadOnlyList<string>> PeekTextsAsync(this QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (!await queue.ExistsAsync())
        {
            return [];
        }

        var peeked = await queue.PeekMessagesAsync(32);
        return [.. peeked.Value.Select(m => m.Body.ToString())];
    }

    public static async Task<int> CountAsync(this QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return await queue.ExistsAsync() ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;
    }
}
