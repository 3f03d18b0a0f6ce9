using Billing.Cosmos.Admin;
using Billing.Cosmos.Configuration;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Logging;
using Billing.Cosmos.Usage;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Cosmos.Scripts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Cosmos.Provisioning;

/// <summary>
/// Creates the database, the containers with their partition keys and the stored procedure when missing (idempotent).
/// For development and tests; in production the infrastructure templates provision the same definitions.
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

        // Time to live on, no default: only documents with their own ttl (usage idempotency keys, the accounts' Stripe event history,
        // invoiced closing-day index entries) expire.
        var accounts = new ContainerProperties(o.AccountsContainerName, ContainerDefinitions.AccountsPartitionKeyPath) { DefaultTimeToLive = -1 };
        // Only what the queries filter or order on is indexed: every indexed term costs each write.
        IndexOnly(accounts, ContainerDefinitions.AccountsIndexedPaths);
        // The queries that order by two fields (the missed-event sweep's, the caller's invoices) need a composite index each.
        foreach (var index in ContainerDefinitions.AccountsCompositeIndexes)
        {
            accounts.IndexingPolicy.CompositeIndexes.Add([.. index.Select(p => new CompositePath { Path = p.Path, Order = p.Order })]);
        }

        await EnsureContainerAsync(database, accounts, cancellationToken).ConfigureAwait(false);
        await EnsureProcedureAsync(database.GetContainer(o.AccountsContainerName), CosmosUsageLedger.RecordUsageProcedureId, CosmosUsageLedger.RecordUsageProcedureBody, cancellationToken).ConfigureAwait(false);
        await EnsureProcedureAsync(database.GetContainer(o.AccountsContainerName), CosmosAllocationLedger.AllocateProcedureId, CosmosAllocationLedger.AllocateProcedureBody, cancellationToken).ConfigureAwait(false);

        // Final events expire with the accounts' event history (90 days after completion, their own ttl; one not final
        // carries ttl -1 and waits for a replay; Stripe itself keeps them 30 days): the raw payloads carry
        // customers' names, e-mail and card details (brand, last 4), which are not kept longer than they are useful.
        var events = new ContainerProperties(o.StripeEventsContainerName, ContainerDefinitions.StripeEventsPartitionKeyPath)
        {
            DefaultTimeToLive = (int)CosmosStripeEventHistory.Retention.TotalSeconds,
        };
        // Events are only ever read and patched by id (the patches' filters are evaluated on the one event): nothing indexed
        // beyond id and _ts, which Cosmos DB always indexes. The raw payload above all would only cost write RUs.
        IndexOnly(events, []);
        await EnsureContainerAsync(database, events, cancellationToken).ConfigureAwait(false);

        // Customers are read by id only.
        var customers = new ContainerProperties(o.StripeCustomersContainerName, ContainerDefinitions.StripeCustomersPartitionKeyPath);
        IndexOnly(customers, []);
        await EnsureContainerAsync(database, customers, cancellationToken).ConfigureAwait(false);

        CosmosLog.Provisioned(logger, o.DatabaseName, o.AccountsContainerName, o.StripeEventsContainerName, o.StripeCustomersContainerName);
    }

    /// <summary>Indexes <paramref name="paths"/> and nothing else (besides id and _ts, which Cosmos DB always indexes).</summary>
    private static void IndexOnly(ContainerProperties container, IEnumerable<string> paths)
    {
        container.IndexingPolicy.ExcludedPaths.Add(new ExcludedPath { Path = ContainerDefinitions.EverythingPath });
        foreach (var path in paths)
        {
            container.IndexingPolicy.IncludedPaths.Add(new IncludedPath { Path = path });
        }
    }

    /// <summary>Creates the stored procedure, or replaces its body when it differs (same id, same behaviour: a fix).</summary>
    private static async Task EnsureProcedureAsync(Container container, string id, string body, CancellationToken cancellationToken)
    {
        var wanted = new StoredProcedureProperties(id, body);
        try
        {
            await container.Scripts.CreateStoredProcedureAsync(wanted, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (CosmosException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            var stored = (await container.Scripts.ReadStoredProcedureAsync(id, cancellationToken: cancellationToken).ConfigureAwait(false)).Resource;
            if (!string.Equals(stored.Body, body, StringComparison.Ordinal))
            {
                await container.Scripts.ReplaceStoredProcedureAsync(wanted, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
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
