namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>The billing API test classes share one emulator and one app process (and run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class BillingApiTestGroup : ICollectionFixture<BillingApiFixture>
{
    public const string Name = "Billing API";
}
