using Billing.QueueStorage;

namespace Billing.FunctionApp.Infrastructure;

/// <summary>
/// Builds the queue client from a Functions-style storage connection setting (<c>AzureWebJobsStorage</c>):
/// a connection string (Azurite, or a real account's keys), or identity-based settings
/// <c>AzureWebJobsStorage__queueServiceUri</c> (or <c>__accountName</c>) with an optional <c>__clientId</c> for a
/// user-assigned managed identity, exactly the shape the Functions host understands.
/// </summary>
public static class QueueServiceFactory
{
    public const string DefaultConnection = "AzureWebJobsStorage";

    public static QueueServiceClient Create(IConfiguration configuration, HttpClient httpClient, string connectionName = DefaultConnection)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(connectionName);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return QueueServiceClient.FromConnectionString(section.Value, httpClient);
        }

        var serviceUri = section["queueServiceUri"]
                         ?? (section["accountName"] is { Length: > 0 } account ? $"https://{account}.queue.core.windows.net" : null);
        if (serviceUri is null)
        {
            throw new InvalidOperationException(
                $"Storage is not configured: set '{connectionName}' to a connection string, or '{connectionName}__queueServiceUri' (or '{connectionName}__accountName') for a managed identity.");
        }

        if (!Uri.TryCreate(serviceUri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"'{connectionName}__queueServiceUri' must be an absolute https URI; got '{serviceUri}'.");
        }

        return new QueueServiceClient(uri, AzureCredentialFactory.Create(section["clientId"]), httpClient);
    }
}
