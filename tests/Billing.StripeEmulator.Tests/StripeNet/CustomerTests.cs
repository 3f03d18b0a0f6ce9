using Billing.StripeEmulator.Tests.StripeNet.Support;
using Stripe;

namespace Billing.StripeEmulator.Tests.StripeNet;

[Collection(SharedStripeNetEmulator.Name)]
public sealed class CustomerTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    [Covers("CustomerService.CreateAsync", "CustomerService.GetAsync")]
    public async Task A_created_customer_reads_back_with_its_metadata_and_endive_fields()
    {
        var created = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            Email = "jane@example.com",
            Name = "Jane",
            Metadata = new Dictionary<string, string> { ["account_id"] = "acct_1" },
        });

        var fetched = await Client.V1.Customers.GetAsync(created.Id);

        Assert.StartsWith("cus_", created.Id);
        Assert.Equal("jane@example.com", fetched.Email);
        Assert.Equal("acct_1", fetched.Metadata["account_id"]);
        Assert.Null(fetched.BusinessName);
        Assert.Null(fetched.IndividualName);
        Assert.Equal("2026-10-28.endive", fetched.StripeResponse.Headers.GetValues("Stripe-Version").Single());
        Assert.False(string.IsNullOrEmpty(fetched.StripeResponse.RequestId));
    }

    [Fact]
    [Covers("CustomerService.SearchAsync", "CustomerService.SearchAutoPagingAsync")]
    public async Task Search_by_metadata_finds_the_customer_and_auto_pages_over_every_page()
    {
        for (var i = 0; i < 5; i++)
        {
            await Client.V1.Customers.CreateAsync(new CustomerCreateOptions
            {
                Email = $"user{i}@example.com",
                Metadata = new Dictionary<string, string> { ["account_id"] = i == 3 ? "acct_3" : "acct_many" },
            });
        }

        var one = await Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = "metadata['account_id']:'acct_3'" });
        var all = new List<Customer>();
        await foreach (var customer in Client.V1.Customers.SearchAutoPagingAsync(new CustomerSearchOptions { Query = "metadata['account_id']:'acct_many'", Limit = 2 }))
        {
            all.Add(customer);
        }

        Assert.Equal("user3@example.com", Assert.Single(one.Data).Email);
        Assert.Equal(4, all.Count);
        Assert.Equal(4, all.Select(c => c.Id).Distinct().Count());
    }

    [Fact]
    public async Task Search_reads_a_backslash_escaped_quote_in_a_value_as_the_quote_itself()
    {
        // The product escapes a quote in an account id as Stripe's search language says (`\'`), e.g. for "o'brien".
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Metadata = new Dictionary<string, string> { ["account_id"] = "o'brien" } });
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Metadata = new Dictionary<string, string> { ["account_id"] = "o" } });

        var found = await Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = @"metadata['account_id']:'o\'brien'" });
        Assert.Equal("o'brien", Assert.Single(found.Data).Metadata["account_id"]);

        var backslash = await Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = @"metadata['account_id']:'o\\'" });
        Assert.Empty(backslash.Data);
    }

    [Fact]
    [Covers("CustomerService.DeleteAsync")]
    public async Task A_deleted_customer_cancels_its_subscription_and_reads_as_deleted()
    {
        var session = await Checkout.SubscribeAsync(Client, fixture.Emulator);

        var deleted = await Client.V1.Customers.DeleteAsync(session.CustomerId);
        var fetched = await Client.V1.Customers.GetAsync(session.CustomerId);
        var subscription = await Client.V1.Subscriptions.GetAsync(session.SubscriptionId);
        var search = await Client.V1.Customers.SearchAsync(new CustomerSearchOptions { Query = "email:'buyer@example.com'" });
        await fixture.Receiver.WaitForTypesAsync("customer.deleted");

        Assert.True(deleted.Deleted);
        Assert.True(fetched.Deleted);
        Assert.Equal("canceled", subscription.Status);
        Assert.Empty(search.Data);
        Assert.Contains("customer.subscription.deleted", fixture.Receiver.AcceptedTypes);
    }
}
