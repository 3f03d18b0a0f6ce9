using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Documents;

/// <summary>The partition key path of each container, and what each container indexes.</summary>
internal static class ContainerDefinitions
{
    /// <summary>Accounts container: every document of one account shares a logical partition.</summary>
    public const string AccountsPartitionKeyPath = "/accountId";

    /// <summary>Stripe events container: one partition per event (<c>id</c> = Stripe event id).</summary>
    public const string StripeEventsPartitionKeyPath = "/id";

    /// <summary>Stripe customers container: one partition per customer (<c>id</c> = Stripe customer id).</summary>
    public const string StripeCustomersPartitionKeyPath = "/id";

    /// <summary>Every container excludes the whole document from indexing and includes only what its queries read.</summary>
    public const string EverythingPath = "/*";

    /// <summary>
    /// The properties of the accounts container that its queries filter or order on (the string literals of this project;
    /// <c>tests/Billing.Infra.Tests</c> checks the two agree): everything else is excluded, since Cosmos DB charges every
    /// write for each indexed term of the document, and the usage record's key and counters (some forty terms, written
    /// once per record) are only ever read by id. <c>id</c> and <c>_ts</c> are always indexed. An <c>ORDER BY</c> on a
    /// property missing here fails on Cosmos DB (the local server does not check), and a filter on one reads every document
    /// of the partition.
    /// </summary>
    public static readonly IReadOnlyList<string> AccountsIndexedPaths =
    [
        "/accountId/?",        // every partition-scoped query; the renewal query's order (with its composite index)
        "/type/?",             // every query
        "/periodStart/?",      // usage periods started in a window; the caller's invoices, newest first
        "/periodEnd/?",        // usage periods ended in a window; the operator's runs of a month
        "/invoicedAt/?",       // closing-day entries not invoiced yet
        "/sequence/?",         // credit entries, newest first
        "/stripeInvoiceId/?",  // the caller's invoices; a run by its Stripe invoice
        "/step/?",             // the caller's invoices
        "/receivedAt/?",       // an account's Stripe events, newest first
        "/plan/?",             // operator account listing
        "/status/?",           // operator account and invoice listings
        "/search/?",           // operator account listing (CONTAINS)
        "/billingAccountId/?", // operator account listing's order and keyset
        "/month/?",            // operator invoice listing
        "/sortKey/?",          // operator invoice listing's order and keyset
        "/renewsBy/?",         // the missed-event sweep (with its composite index)
    ];

    /// <summary>
    /// The composite indexes of the accounts container: Cosmos DB refuses an <c>ORDER BY</c> on two paths without one
    /// that matches it (the local server checks this too). The missed-event sweep orders overdue accounts by
    /// <c>renewsBy</c>, then account id (<c>CosmosAccountRenewalQuery</c>). <c>infra/modules/cosmos.bicep</c> declares
    /// the same (<c>tests/Billing.Infra.Tests</c> compares them). A new one is added to an existing container only by a
    /// deployment of the infrastructure, and is built after it: a query that needs one fails until then, so a new
    /// query orders on one path where it can (<c>CosmosInvoiceRunStore.ListInvoicedAsync</c>).
    /// </summary>
    public static readonly IReadOnlyList<IReadOnlyList<CompositePath>> AccountsCompositeIndexes =
    [
        [
            new CompositePath { Path = "/renewsBy", Order = CompositePathSortOrder.Descending },
            new CompositePath { Path = "/accountId", Order = CompositePathSortOrder.Descending },
        ],
    ];
}
