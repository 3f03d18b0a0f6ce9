using Azure.Storage.Queues;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// Builds the <see cref="QueueServiceClient"/> from <see cref="QueueStorageOptions"/>. Its queue clients encode
/// messages in base64, as the Functions queue trigger expects (host.json <c>messageEncoding</c>); every
/// <see cref="QueueClient"/> must come from this service client (or use <see cref="ClientOptions"/>) for that reason.
/// </summary>
public static class QueueServiceFactory
{
    /// <summary>Base64 message encoding, as the queue trigger reads messages.</summary>
    public static QueueClientOptions ClientOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    public static QueueServiceClient Create(QueueStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new QueueServiceClient(options.ConnectionString, ClientOptions());
        }

        var uri = options.IdentityServiceUri
                  ?? throw new InvalidOperationException($"Storage is not configured: set '{QueueStorageOptions.ConnectionName}'.");
        return new QueueServiceClient(uri, AzureCredentialFactory.Create(options.ClientId), ClientOptions());
    }
}
