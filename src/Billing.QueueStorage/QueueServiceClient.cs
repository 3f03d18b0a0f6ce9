using Azure.Core;
using Billing.QueueStorage.Authentication;
using Billing.QueueStorage.Configuration;
using Billing.QueueStorage.Protocol;

namespace Billing.QueueStorage;

/// <summary>Entry point: one storage account's queue service.</summary>
public sealed class QueueServiceClient
{
    private readonly QueueRequestSender _sender;

    private QueueServiceClient(Uri queueServiceUri, IRequestAuthorizer authorizer, HttpClient? httpClient, TimeProvider timeProvider)
    {
        QueueServiceUri = queueServiceUri;
        _sender = new QueueRequestSender(queueServiceUri, authorizer, httpClient ?? SharedHttpClient.Instance, timeProvider);
    }

    /// <summary>From the queue service URI (https://account.queue.core.windows.net) and an Entra ID credential (managed identity).</summary>
    public QueueServiceClient(Uri queueServiceUri, TokenCredential credential, HttpClient? httpClient = null)
        : this(queueServiceUri, credential, httpClient, TimeProvider.System)
    {
    }

    /// <summary>As <see cref="QueueServiceClient(Uri, TokenCredential, HttpClient?)"/>, with the clock used for x-ms-date, token renewal and retry waits.</summary>
    /// <exception cref="ArgumentException">The URI is not absolute https (a bearer token must not travel in clear text).</exception>
    public QueueServiceClient(Uri queueServiceUri, TokenCredential credential, HttpClient? httpClient, TimeProvider timeProvider)
        : this(RequireHttps(queueServiceUri), new BearerTokenAuthorizer(credential, timeProvider), httpClient, timeProvider)
    {
    }

    public Uri QueueServiceUri { get; }

    /// <summary>From a storage connection string (SharedKey; Azurite's or a real account's).</summary>
    /// <exception cref="FormatException">The connection string is malformed or lacks a required key (the message never quotes values).</exception>
    public static QueueServiceClient FromConnectionString(string connectionString, HttpClient? httpClient = null) =>
        FromConnectionString(connectionString, httpClient, TimeProvider.System);

    /// <summary>As <see cref="FromConnectionString(string, HttpClient?)"/>, with the clock used for x-ms-date and retry waits.</summary>
    public static QueueServiceClient FromConnectionString(string connectionString, HttpClient? httpClient, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var parsed = StorageConnectionString.Parse(connectionString);
        return new QueueServiceClient(parsed.QueueEndpoint, new SharedKeySigner(parsed.AccountName, parsed.AccountKey), httpClient, timeProvider);
    }

    /// <exception cref="ArgumentException">The name breaks the queue naming rules (3-63 lowercase letters, digits, single hyphens).</exception>
    public QueueClient GetQueueClient(string queueName) => new(QueueArguments.QueueName(queueName, nameof(queueName)), _sender);

    private static Uri RequireHttps(Uri queueServiceUri)
    {
        ArgumentNullException.ThrowIfNull(queueServiceUri);
        return queueServiceUri.IsAbsoluteUri && queueServiceUri.Scheme == Uri.UriSchemeHttps
            ? queueServiceUri
            : throw new ArgumentException("The queue service URI must be an absolute https URI when a token credential is used.", nameof(queueServiceUri));
    }
}
