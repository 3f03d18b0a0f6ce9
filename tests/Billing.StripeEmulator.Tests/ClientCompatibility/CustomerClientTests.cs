using Billing.Stripe;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.StripeEmulator.Tests.ClientCompatibility.Support;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

[Collection(SharedEmulator.Name)]
public sealed class CustomerClientTests(ClientEmulatorFixture fixture) : IAsyncLifetime
{
    private IStripeClient Stripe => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Create_and_get_return_the_typed_customer()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var created = await Stripe.Customers.CreateAsync(new CustomerCreateRequest
        {
            Email = "jane@example.com",
            Name = "Jane Doe",
            Description = "tenant t_1 owner",
            Metadata = new Dictionary<string, string> { ["tenant_id"] = "t_1" },
        });
        var fetched = await Stripe.Customers.GetAsync(created.Id);

        Assert.StartsWith("cus_", created.Id);
        Assert.Equal(StripeObjectTypes.Customer, created.ObjectType);
        Assert.Equal("jane@example.com", created.Email);
        Assert.Equal("Jane Doe", created.Name);
        Assert.Equal("tenant t_1 owner", created.Description);
        Assert.Equal("t_1", created.Metadata!["tenant_id"]);
        Assert.False(created.Livemode);
        Assert.False(created.Delinquent);
        Assert.InRange(created.Created!.Value, before, DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(created, fetched with { Metadata = created.Metadata });
        Assert.Equal("t_1", Assert.Single(fetched.Metadata!).Value);
    }

    [Fact]
    public async Task Search_by_metadata_finds_the_customer_and_sends_the_query_string()
    {
        var wanted = await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "a@example.com", Metadata = new Dictionary<string, string> { ["tenant_id"] = "t_wanted" } });
        await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "b@example.com", Metadata = new Dictionary<string, string> { ["tenant_id"] = "t_other" } });

        var result = await Stripe.Customers.SearchAsync(new CustomerSearchRequest { Query = "metadata['tenant_id']:'t_wanted'" });

        Assert.Equal(StripeObjectTypes.SearchResult, result.ObjectType);
        Assert.False(result.HasMore);
        Assert.Null(result.NextPage);
        Assert.Equal(wanted.Id, Assert.Single(result.Data).Id);
        Assert.Equal("/v1/customers/search", fixture.Requests.Exchanges[^1].Path);
    }

    [Fact]
    public async Task Search_pages_with_next_page_and_auto_paging_returns_every_match_once()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = $"user{i}@example.com", Metadata = new Dictionary<string, string> { ["plan"] = "pro" } })).Id);
        }

        await Stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "free@example.com", Metadata = new Dictionary<string, string> { ["plan"] = "free" } });
        var request = new CustomerSearchRequest { Query = "metadata['plan']:'pro'", Limit = 2 };

        var first = await Stripe.Customers.SearchAsync(request);
        fixture.Requests.Clear();
        var all = await Stripe.Customers.SearchAutoPagingAsync(request).ToListAsync();

        Assert.Equal(2, first.Data.Count);
        Assert.True(first.HasMore);
        Assert.False(string.IsNullOrEmpty(first.NextPage));
        Assert.Equal(ids.Order(), all.Select(c => c.Id).Order());
        Assert.Equal(3, fixture.Requests.Exchanges.Count);
        Assert.Contains("page=", fixture.Requests.Exchanges[1].Query, StringComparison.Ordinal);
    }
}
