using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

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

    /// <summary>
    /// Whether message <paramref name="messageId"/> has left the queue: deleted by the host once its function succeeded
    /// (or moved to the poison queue). Asked by deleting it with a pop receipt that never matches, which the queue refuses
    /// with <c>PopReceiptMismatch</c> while the message is there (visible or being processed) and with
    /// <c>MessageNotFound</c> once it is gone; it never deletes anything.
    /// </summary>
    public static async Task<bool> IsGoneAsync(this QueueClient queue, string messageId)
    {
        ArgumentNullException.ThrowIfNull(queue);
        try
        {
            await queue.DeleteMessageAsync(messageId, popReceipt: "never-a-pop-receipt");
        }
        catch (RequestFailedException e) when (e.ErrorCode == QueueErrorCode.PopReceiptMismatch)
        {
            return false;
        }
        catch (RequestFailedException e) when (e.ErrorCode == QueueErrorCode.MessageNotFound)
        {
            return true;
        }

        throw new InvalidOperationException($"Message {messageId} was deleted with a pop receipt that cannot match.");
    }

    public static async Task<int> CountAsync(this QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return await queue.ExistsAsync() ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;
    }
}
