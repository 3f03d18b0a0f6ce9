using Billing.Domain.Accounts;

namespace Billing.Application.StripeCustomers;

/// <summary>
/// Stripe customer id -> account id, so a webhook event that carries only a customer id is mapped with one point
/// read. A link is created once and never changes.
/// </summary>
public interface IStripeCustomerLinks
{
    /// <summary>Links the customer to the account; idempotent for the same account, refused for another.</summary>
    Task<CustomerLinkResult> LinkAsync(string stripeCustomerId, AccountId accountId, CancellationToken cancellationToken);

    /// <summary>The account the customer is linked to, or null.</summary>
    Task<AccountId?> FindAccountIdAsync(string stripeCustomerId, CancellationToken cancellationToken);
}
