using Azure.Identity;
using Azure.Storage.Queues;
using Billing.FunctionsHost.Configuration;

namespace Billing.FunctionsHost.Queues;

/// <summary>Queue clients for a binding's connection, with host.json messageEncoding (base64 unless "none").</summary>
internal sealed class QueueClientFactory(AppSettings settings, HostJsonOptions hostJson)
{
    public QueueClientOptions CreateOptions(bool? base64 = null) => new()
    {
        MessageEncoding = base64 ?? hostJson.Queues.Base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None,
    };

    public QueueClient Create(string? connection, string queueName, string usedBy, QueueClientOptions? options = null)
    {
        var resolved = settings.ResolveQueueConnection(connection, usedBy);
        options ??= CreateOptions();
        if (resolved.ConnectionString is { } connectionString)
        {
            return new QueueClient(connectionString, queueName, options);
        }

        var credential = resolved.ClientId is { } clientId
            ? new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId })
            : new DefaultAzureCredential();
        return new QueueClient(new Uri(resolved.ServiceUri!.ToString().TrimEnd('/') + "/" + queueName), credential, options);
    }

    /// <summary>Resolves <c>%setting%</c>, lower-cases and validates a queue name.</summary>
    public string ResolveQueueName(string? expression, string usedBy)
    {
        var name = settings.Resolve(expression ?? string.Empty, usedBy).ToLowerInvariant();
        var valid = name.Length is >= 3 and <= 63
            && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            && !name.StartsWith('-') && !name.EndsWith('-') && !name.Contains("--", StringComparison.Ordinal);
        return valid ? name : throw new HostStartupException($"{usedBy}: '{name}' is not a valid queue name.");
    }
}
