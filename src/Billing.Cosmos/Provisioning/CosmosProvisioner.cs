using Billing.Cosmos.Configuration;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Logging;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Cosmos.Provisioning;

/// <summary>
/// Creates the database and the containers with their partition keys when missing (idempotent). For development
/// and tests; in production the infrastructure templates provision the same definitions.
/// </summary>
public sealed class CosmosProvisioner(CosmosClient client, IOptions<CosmosOptions> options, ILogger<CosmosProvisioner> logger)
{
    /// <summary>Runs <see cref="ProvisionAsync"/> when <see cref="CosmosOptions.ProvisionOnStartup"/> is set; returns whether it ran.</summary>
    public async Task<bool> ProvisionIfEnabledAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.ProvisionOnStartup)
        {
            return false;
        }

        await ProvisionAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <exception cref="InvalidOperationException">A container exists with a different partition key.</exception>
    public async Task ProvisionAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var database = (await client.CreateDatabaseIfNotExistsAsync(o.DatabaseName, cancellationToken: cancellationToken).ConfigureAwait(false)).Database;

        // Time to live on, no default: only documents with their own ttl (idempotency keys) expire.
        var accounts = new ContainerProperties(o.AccountsContainerName, ContainerDefinitions.AccountsPartitionKeyPath) { DefaultTimeToLive = -1 };
        await EnsureContainerAsync(database, accounts, cancellationToken).ConfigureAwait(false);

        var events = new ContainerProperties(o.StripeEventsContainerName, ContainerDefinitions.StripeEventsPartitionKeyPath);
        // The raw payload is only ever read back by id: indexing it would only cost write RUs.
        events.IndexingPolicy.ExcludedPaths.Add(new ExcludedPath { Path = "/payload/?" });
        await EnsureContainerAsync(database, events, cancellationToken).ConfigureAwait(false);

        await EnsureContainerAsync(database, new ContainerProperties(o.StripeCustomersContainerName, ContainerDefinitions.StripeCustomersPartitionKeyPath), cancellationToken).ConfigureAwait(false);

        CosmosLog.Provisioned(logger, o.DatabaseName, o.AccountsContainerName, o.StripeEventsContainerName, o.StripeCustomersContainerName);
    }

    private static async Task EnsureContainerAsync(Database database, ContainerProperties wanted, CancellationToken cancellationToken)
    {
        ContainerResponse response;
        try
        {
            response = await database.CreateContainerIfNotExistsAsync(wanted, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"Container '{wanted.Id}' exists with a partition key other than '{wanted.PartitionKeyPath}': {e.Message}", e);
        }

        var actual = response.Resource?.PartitionKeyPath;
        if (actual is not null && !string.Equals(actual, wanted.PartitionKeyPath, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Container '{wanted.Id}' exists with partition key '{actual}', but billing needs '{wanted.PartitionKeyPath}'. Recreate it or point the options at another container.");
        }
    }
}
