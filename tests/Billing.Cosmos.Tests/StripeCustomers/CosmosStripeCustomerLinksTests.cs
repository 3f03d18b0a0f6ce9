using Billing.Application.StripeCustomers;
using Billing.Cosmos.Tests.Support;

namespace Billing.Cosmos.Tests.StripeCustomers;

public sealed class CosmosStripeCustomerLinksTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private readonly IStripeCustomerLinks _links = fixture.Get<IStripeCustomerLinks>();

    [Fact]
    public async Task Two_accounts_racing_for_one_customer_one_wins()
    {
        var customer = Ids.NewStripe("cus");
        var a = Ids.NewAccount("a");
        var b = Ids.NewAccount("b");

        var results = await Task.WhenAll(
            Task.Run(() => _links.LinkAsync(customer, a, CancellationToken.None)),
            Task.Run(() => _links.LinkAsync(customer, b, CancellationToken.None)));

        var winner = Assert.Single(results, r => r.Outcome == CustomerLinkOutcome.Linked);
        var loser = Assert.Single(results, r => r.Outcome == CustomerLinkOutcome.AlreadyLinkedToOther);
        Assert.Equal(winner.AccountId, loser.AccountId);
        Assert.Equal(winner.AccountId, await _links.FindAccountIdAsync(customer, CancellationToken.None));
    }

    [Fact]
    public async Task Linking_again_to_the_same_account_is_idempotent()
    {
        var customer = Ids.NewStripe("cus");
        var account = Ids.NewAccount();

        var first = await _links.LinkAsync(customer, account, CancellationToken.None);
        var again = await _links.LinkAsync(customer, account, CancellationToken.None);

        Assert.Equal(CustomerLinkResult.Linked(account), first);
        Assert.Equal(CustomerLinkResult.Linked(account), again);
    }

    [Fact]
    public async Task Unknown_customers_map_to_nothing()
    {
        Assert.Null(await _links.FindAccountIdAsync(Ids.NewStripe("cus"), CancellationToken.None));
        Assert.Null(await _links.FindAccountIdAsync("not/an/id", CancellationToken.None));
    }

    [Fact]
    public async Task Link_document_has_the_documented_shape()
    {
        var customer = Ids.NewStripe("cus");
        var account = Ids.NewAccount();
        await _links.LinkAsync(customer, account, CancellationToken.None);

        var raw = await RawDocuments.ReadAsync(fixture.Containers.StripeCustomers, customer, customer);

        Assert.Equal(customer, (string?)raw!["id"]);
        Assert.Equal("stripeCustomer", (string?)raw["type"]);
        Assert.Equal(1, (int?)raw["schemaVersion"]);
        Assert.Equal(account.Value, (string?)raw["accountId"]);
        Assert.NotNull((string?)raw["createdAt"]);
    }
}
