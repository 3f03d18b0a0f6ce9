using Azure.Storage.Queues;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// Builds the <see cref="QueueServiceClient"/> from <see cref="QueueStorageOptions"/>. Its queue clients encode
/// messages in base64, as the Functions queue trigger expects (host.json <c>messageEncoding</c>); every
/// <see cref="QueueClient"/> must come from this service client (or use <see cref="ClientOptions"/>) for that reason.
/// </summary>
public static class QueueServiceFactory
{
    /// <summary>
    /// The time-to-live of a message the app must not lose (the service's default is 7 days): an event reference sent
    /// after Stripe was told the event is kept, a message a poison replay moves back.
    /// </summary>
    public static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    /// <summary>
    /// Base64 message encoding, as the queue trigger reads messages. Retries stay short: the webhook must answer
    /// Stripe well within its timeout, and a 503 makes Stripe deliver again, so a queue outage is reported in seconds
    /// (at most 3 attempts of 5 s each) rather than after the SDK's default minutes.
    /// </summary>
    public static QueueClientOptions ClientOptions()
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        options.MessageDecodingFailed += UndecodableMessages.Handle; // a message not in base64 is left out of a page, not a failure of it
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        return options;
    }

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
