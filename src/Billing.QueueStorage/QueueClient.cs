namespace Billing.QueueStorage;

// API CONTRACT (skeleton): the queue-client work fills in the bodies; callers already code against these signatures.

/// <summary>One queue of an Azure Storage account, over the Queue REST API. Message text is sent Base64-encoded (UTF-8), as the Functions host expects.</summary>
public sealed class QueueClient
{
    public string Name => throw new NotImplementedException();

    public Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<SentMessage> SendAsync(string messageText, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<IReadOnlyList<PeekedMessage>> PeekAsync(int maxMessages, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Changes when the message becomes visible again; returns the new pop receipt.</summary>
    public Task<UpdatedMessage> UpdateVisibilityAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<int> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task ClearAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
}

/// <summary>Entry point: one storage account's queue service.</summary>
public sealed class QueueServiceClient
{
    /// <summary>From a storage connection string (SharedKey; Azurite's or a real account's).</summary>
    public static QueueServiceClient FromConnectionString(string connectionString, HttpClient? httpClient = null) => throw new NotImplementedException();

    /// <summary>From the queue service URI (https://account.queue.core.windows.net) and an Entra ID credential (managed identity).</summary>
    public QueueServiceClient(Uri queueServiceUri, Azure.Core.TokenCredential credential, HttpClient? httpClient = null) => throw new NotImplementedException();

    public Uri QueueServiceUri => throw new NotImplementedException();

    public QueueClient GetQueueClient(string queueName) => throw new NotImplementedException();
}

public sealed record SentMessage(string MessageId, string PopReceipt, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn, DateTimeOffset NextVisibleOn);

public sealed record ReceivedMessage(string MessageId, string PopReceipt, string MessageText, long DequeueCount, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn, DateTimeOffset NextVisibleOn);

public sealed record PeekedMessage(string MessageId, string MessageText, long DequeueCount, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn);

public sealed record UpdatedMessage(string PopReceipt, DateTimeOffset NextVisibleOn);
