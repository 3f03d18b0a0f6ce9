using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Queues;

internal sealed class QueueStorageOptionsValidator : IValidateOptions<QueueStorageOptions>
{
    private const string Name = QueueStorageOptions.ConnectionName;

    public ValidateOptionsResult Validate(string? name, QueueStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return IsConnectionString(options.ConnectionString)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"'{Name}' is not a storage connection string (DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=..., or UseDevelopmentStorage=true); its value is not shown, it may hold a key.");
        }

        if (options.QueueServiceUri is null && string.IsNullOrWhiteSpace(options.AccountName))
        {
            return ValidateOptionsResult.Fail(
                $"Storage is not configured: set '{Name}' to a connection string, or '{Name}__queueServiceUri' (or '{Name}__accountName') for a managed identity.");
        }

        if (options.QueueServiceUri is { } uri && (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.UserInfo)))
        {
            return ValidateOptionsResult.Fail($"'{Name}__queueServiceUri' must be an absolute https URI without credentials.");
        }

        if (options.QueueServiceUri is null && !Uri.CheckHostName(options.AccountName + ".queue.core.windows.net").Equals(UriHostNameType.Dns))
        {
            return ValidateOptionsResult.Fail($"'{Name}__accountName' is not a storage account name.");
        }

        return ValidateOptionsResult.Success;
    }

    /// <summary>
    /// Whether the queue client accepts it: it parses the string only when it is built (on the first send, or the
    /// first webhook), which would otherwise be where a malformed setting surfaces. The parser's message is not kept.
    /// </summary>
    private static bool IsConnectionString(string connectionString)
    {
        try
        {
            _ = new QueueServiceClient(connectionString, QueueServiceFactory.ClientOptions());
            return true;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
