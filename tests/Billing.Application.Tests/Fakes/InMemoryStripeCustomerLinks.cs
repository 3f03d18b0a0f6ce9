using System.Collections.Concurrent;
using Billing.Application.StripeCustomers;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Fakes;

/// <summary>Customer links with the store's contract: first link wins, the same account again is idempotent.</summary>
internal sealed class InMemoryStripeCustomerLinks : IStripeCustomerLinks
{
    private readonly ConcurrentDictionary<string, AccountId> _links = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, AccountId> Links => _links;

    public Task<CustomerLinkResult> LinkAsync(string stripeCustomerId, AccountId accountId, CancellationToken cancellationToken)
    {
        var owner = _links.GetOrAdd(stripeCustomerId, accountId);
        return Task.FromResult(owner == accountId ? CustomerLinkResult.Linked(accountId) : CustomerLinkResult.AlreadyLinkedToOther(owner));
    }

    public Task<AccountId?> FindAccountIdAsync(string stripeCustomerId, CancellationToken cancellationToken) =>
        Task.FromResult(_links.TryGetValue(stripeCustomerId, out var owner) ? owner : (AccountId?)null);
}
