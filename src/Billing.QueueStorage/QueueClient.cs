using System.Globalization;
using Billing.QueueStorage.Protocol;

namespace Billing.QueueStorage;

/// <summary>One queue of an Azure Storage account, over the Queue REST API. Message text is sent Base64-encoded (UTF-8), as the Functions host expects.</summary>
/// <remarks>
/// Refusals by the service surface as <see cref="QueueStorageException"/>; network failures that persist after the
/// retries as <see cref="HttpRequestException"/> (or <see cref="TaskCanceledException"/> for a timeout).
/// </remarks>
public sealed class QueueClient
{
    private readonly QueueRequestSender _sender;
    private readonly string _messagesPath;

    internal QueueClient(string name, QueueRequestSender sender)
    {
        Name = name;
        _sender = sender;
        _messagesPath = name + "/messages";
    }

    /// <summary>Pass as timeToLive to <see cref="SendAsync"/> for a message that never expires.</summary>
    public static TimeSpan NeverExpires => Timeout.InfiniteTimeSpan;

    public string Name { get; }

    /// <summary>Creates the queue; false when it already existed.</summary>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await SendAsync(new QueueRequest("Create queue", HttpMethod.Put, Name), cancellationToken).ConfigureAwait(false);
            return response.Status == System.Net.HttpStatusCode.Created;
        }
        catch (QueueStorageException exception) when (exception.ErrorCode == QueueStorageErrorCodes.QueueAlreadyExists)
        {
            // Exists with different metadata: still "already exists".
            return false;
        }
    }

    /// <summary>Deletes the queue and its messages; false when there was no such queue.</summary>
    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await SendAsync(new QueueRequest("Delete queue", HttpMethod.Delete, Name), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (QueueStorageException exception) when (exception.ErrorCode == QueueStorageErrorCodes.QueueNotFound)
        {
            return false;
        }
    }

    /// <param name="messageText">Any text; sent as Base64 of its UTF-8 bytes, at most 64 KiB once encoded (about 48 KiB of UTF-8).</param>
    /// <param name="visibilityDelay">Hidden for this long first (whole seconds, 0 to 7 days, less than the time to live).</param>
    /// <param name="timeToLive">Whole seconds of at least 1, or <see cref="NeverExpires"/>; the service's default is 7 days.</param>
    /// <exception cref="ArgumentException">The encoded message is too large, or an argument is out of range; nothing was sent.</exception>
    public async Task<SentMessage> SendAsync(string messageText, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        var encoded = MessageTextEncoding.Encode(messageText, nameof(messageText));
        if (encoded.Length > QueueStorageProtocol.MaxEncodedMessageBytes)
        {
            throw new ArgumentException(
                $"The message is {encoded.Length} bytes once Base64-encoded; the queue service limit is {QueueStorageProtocol.MaxEncodedMessageBytes} bytes (about 48 KiB of UTF-8 text).",
                nameof(messageText));
        }

        var query = new List<KeyValuePair<string, string>>();
        if (visibilityDelay is { } delay)
        {
            query.Add(new("visibilitytimeout", QueueArguments.Format(QueueArguments.VisibilitySeconds(delay, TimeSpan.Zero, nameof(visibilityDelay)))));
        }

        if (timeToLive is { } ttl)
        {
            var ttlSeconds = QueueArguments.TimeToLiveSeconds(ttl, nameof(timeToLive));
            if (visibilityDelay is { } hidden && ttlSeconds != QueueStorageProtocol.NeverExpiresTtlSeconds && hidden >= ttl)
            {
                throw new ArgumentException("The visibility delay must be shorter than the time to live.", nameof(visibilityDelay));
            }

            query.Add(new("messagettl", QueueArguments.Format(ttlSeconds)));
        }

        var request = new QueueRequest("Put message", HttpMethod.Post, _messagesPath)
        {
            Query = query,
            XmlBody = QueueXml.PutMessageBody(encoded),
        };
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return QueueXml.ParseSentMessage(response.Body);
    }

    /// <summary>Takes up to <paramref name="maxMessages"/> (1-32) messages, hiding them for <paramref name="visibilityTimeout"/> (1 second to 7 days).</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        var request = new QueueRequest("Get messages", HttpMethod.Get, _messagesPath)
        {
            Query =
            [
                new("numofmessages", QueueArguments.Format(QueueArguments.MessageCount(maxMessages, nameof(maxMessages)))),
                new("visibilitytimeout", QueueArguments.Format(QueueArguments.VisibilitySeconds(visibilityTimeout, TimeSpan.FromSeconds(1), nameof(visibilityTimeout)))),
            ],
        };
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return QueueXml.ParseReceivedMessages(response.Body);
    }

    /// <summary>Looks at up to <paramref name="maxMessages"/> (1-32) visible messages without changing them.</summary>
    public async Task<IReadOnlyList<PeekedMessage>> PeekAsync(int maxMessages, CancellationToken cancellationToken = default)
    {
        var request = new QueueRequest("Peek messages", HttpMethod.Get, _messagesPath)
        {
            Query =
            [
                new("peekonly", "true"),
                new("numofmessages", QueueArguments.Format(QueueArguments.MessageCount(maxMessages, nameof(maxMessages)))),
            ],
        };
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return QueueXml.ParsePeekedMessages(response.Body);
    }

    /// <exception cref="QueueStorageException">404 MessageNotFound or 400 PopReceiptMismatch when the pop receipt is stale.</exception>
    public async Task DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        QueueArguments.NotBlank(messageId, nameof(messageId));
        QueueArguments.NotBlank(popReceipt, nameof(popReceipt));
        var request = new QueueRequest("Delete message", HttpMethod.Delete, MessagePath(messageId))
        {
            Query = [new("popreceipt", popReceipt)],
        };
        await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes when the message becomes visible again; returns the new pop receipt.</summary>
    /// <param name="visibilityTimeout">From now; whole seconds, 0 to 7 days (0 makes it visible at once).</param>
    public async Task<UpdatedMessage> UpdateVisibilityAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        QueueArguments.NotBlank(messageId, nameof(messageId));
        QueueArguments.NotBlank(popReceipt, nameof(popReceipt));
        var request = new QueueRequest("Update message", HttpMethod.Put, MessagePath(messageId))
        {
            Query =
            [
                new("popreceipt", popReceipt),
                new("visibilitytimeout", QueueArguments.Format(QueueArguments.VisibilitySeconds(visibilityTimeout, TimeSpan.Zero, nameof(visibilityTimeout)))),
            ],
        };
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return new UpdatedMessage(
            response.RequiredHeader(QueueStorageProtocol.PopReceiptHeader),
            QueueXml.ParseDate(response.RequiredHeader(QueueStorageProtocol.TimeNextVisibleHeader)));
    }

    /// <summary>The service's approximate number of messages (visible or not) in the queue.</summary>
    public async Task<int> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default)
    {
        var request = new QueueRequest("Get queue metadata", HttpMethod.Get, Name) { Query = [new("comp", "metadata")] };
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var count = response.RequiredHeader(QueueStorageProtocol.ApproximateMessagesCountHeader);
        return long.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? (int)Math.Min(value, int.MaxValue)
            : throw new QueueStorageException($"The queue service sent an unreadable {QueueStorageProtocol.ApproximateMessagesCountHeader} header.", response.Status, errorCode: null, response.RequestId);
    }

    /// <summary>Deletes every message in the queue.</summary>
    public async Task ClearAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(new QueueRequest("Clear messages", HttpMethod.Delete, _messagesPath), cancellationToken).ConfigureAwait(false);

    private string MessagePath(string messageId) => $"{_messagesPath}/{Uri.EscapeDataString(messageId)}";

    private Task<QueueResponse> SendAsync(QueueRequest request, CancellationToken cancellationToken) =>
        _sender.SendAsync(request with { Operation = $"{request.Operation} on queue '{Name}'" }, cancellationToken);
}
