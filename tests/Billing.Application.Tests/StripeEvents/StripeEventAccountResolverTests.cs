using Billing.Application.StripeEvents.Handling;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Billing.Application.Tests.StripeEvents;

/// <summary>Which account a Stripe event is applied to: the customer's link decides, the event's account reference only links a new customer.</summary>
public sealed class StripeEventAccountResolverTests
{
    private static readonly AccountId Named = AccountId.Parse("user-named");
    private static readonly AccountId Other = AccountId.Parse("user-other");
    private readonly InMemoryStripeCustomerLinks _links = new();
    private readonly FakeLogger<StripeEventAccountResolver> _log = new();

    private StripeEventAccountResolver Resolver => new(_links, _log);

    [Fact]
    public async Task A_customer_linked_to_another_account_between_the_read_and_the_link_stays_with_that_account()
    {
        // Another delivery (or a checkout of the other account) links the customer after this one found no link.
        _links.AfterFind = customer => _links.LinkAsync(customer, Other, CancellationToken.None).GetAwaiter().GetResult();

        var resolution = await Resolver.ResolveAsync("cus_1", Named.Value, CancellationToken.None);

        Assert.Equal(Other, resolution.AccountId);
        Assert.Equal(Other, _links.All["cus_1"]);
        Assert.Contains(_log.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("user-other", StringComparison.Ordinal) && r.Message.Contains("user-named", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_without_a_customer_goes_to_the_account_it_names_and_links_nothing()
    {
        var resolution = await Resolver.ResolveAsync(null, Named.Value, CancellationToken.None);

        Assert.Equal(Named, resolution.AccountId);
        Assert.Empty(_links.All);
    }

    [Theory]
    [InlineData("cus_1")]
    [InlineData(null)]
    public async Task An_account_reference_that_is_not_an_account_id_resolves_to_none_and_links_nothing(string? customer)
    {
        var resolution = await Resolver.ResolveAsync(customer, "org/42", CancellationToken.None);

        Assert.Null(resolution.AccountId);
        Assert.Equal("The event's account reference is not a valid account id.", resolution.Problem);
        Assert.Empty(_links.All);
    }
}
