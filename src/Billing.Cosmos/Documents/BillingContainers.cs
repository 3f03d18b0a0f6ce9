using Billing.Cosmos.Configuration;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace Billing.Cosmos.Documents;

/// <summary>The three containers of the billing database, resolved once from the client and options.</summary>
public sealed class BillingContainers
{
    public BillingContainers(CosmosClient client, IOptions<CosmosOptions> options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        Database = client.GetDatabase(o.DatabaseName);
        Accounts = Database.GetContainer(o.AccountsContainerName);
        StripeEvents = Database.GetContainer(o.StripeEventsContainerName);
        StripeCustomers = Database.GetContainer(o.StripeCustomersContainerName);
    }

    public Database Database { get; }

    /// <summary>Partition key <c>/accountId</c>: accounts, usage counters and later per-account documents.</summary>
    public Container Accounts { get; }

    /// <summary>Partition key <c>/id</c> (Stripe event id).</summary>
    public Container StripeEvents { get; }

    /// <summary>Partition key <c>/id</c> (Stripe customer id).</summary>
    public Container StripeCustomers { get; }
}
