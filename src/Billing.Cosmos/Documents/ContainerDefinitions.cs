namespace Billing.Cosmos.Documents;

/// <summary>The partition key path of each container.</summary>
internal static class ContainerDefinitions
{
    /// <summary>Accounts container: every document of one account shares a logical partition.</summary>
    public const string AccountsPartitionKeyPath = "/accountId";

    /// <summary>Stripe events container: one partition per event (<c>id</c> = Stripe event id).</summary>
    public const string StripeEventsPartitionKeyPath = "/id";

    /// <summary>Stripe customers container: one partition per customer (<c>id</c> = Stripe customer id).</summary>
    public const string StripeCustomersPartitionKeyPath = "/id";
}
