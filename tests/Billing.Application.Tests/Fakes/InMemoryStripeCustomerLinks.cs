using System.Collections.Concurrent;
using Billing.Application.StripeCustomers;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Fakes;

/// <summary>Customer links in memory: created once (a second create for another account is refused), never changed.</summary>
internal sealed class InMemoryStripeCustomerLinks : IStripeCustomerLinks
{
    private readonly ConcurrentDictionary<string, AccountId> _links = new(StringComparer.Ordinal);
    private int _created;

    /// <summary>How many links were actually created.</summary>
    public int Created => _created;

    public IReadOnlyDictionary<string, AccountId> All => _links;

    /// <summary>Runs after each <see cref="FindAccountIdAsync"/> has read (a link made by another caller in between).</summary>
    public Action<string>? AfterFind { get; set; }

    public Task<CustomerLinkResult> LinkAsync(string stripeCustomerId, AccountId accountId, CancellationToken cancellationToken)
    {
        if (_links.TryAdd(stripeCustomerId, accountId))
        {
            Interlocked.Increment(ref _created);
            return Task.FromResult(CustomerLinkResult.Linked(accountId));
        }

        var existing = _links[stripeCustomerId];
        return Task.FromResult(existing == accountId ? CustomerLinkResult.Linked(accountId) : CustomerLinkResult.AlreadyLinkedToOther(existing));
    }

    public Task<AccountId?> FindAccountIdAsync(string stripeCustomerId, CancellationToken cancellationToken)
    {
        var found = _links.TryGetValue(stripeCustomerId, out var accountId) ? accountId : (AccountId?)null;
        AfterFind?.Invoke(stripeCustomerId);
        return Task.FromResult(found);
    }
}
