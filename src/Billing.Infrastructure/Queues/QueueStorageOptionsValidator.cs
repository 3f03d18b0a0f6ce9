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
            return ValidateOptionsResult.Success;
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
}
