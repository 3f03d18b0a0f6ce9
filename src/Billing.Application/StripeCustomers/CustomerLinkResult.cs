using Billing.Domain.Accounts;

namespace Billing.Application.StripeCustomers;

/// <summary>The outcome of <see cref="IStripeCustomerLinks.LinkAsync"/> and the account the customer belongs to.</summary>
public sealed record CustomerLinkResult(CustomerLinkOutcome Outcome, AccountId AccountId)
{
    public static CustomerLinkResult Linked(AccountId accountId) => new(CustomerLinkOutcome.Linked, accountId);

    public static CustomerLinkResult AlreadyLinkedToOther(AccountId otherAccountId) => new(CustomerLinkOutcome.AlreadyLinkedToOther, otherAccountId);
}

public enum CustomerLinkOutcome
{
    /// <summary>The customer is linked to the requested account (now, or already before).</summary>
    Linked = 0,

    /// <summary>The customer was already linked to a different account, which is kept.</summary>
    AlreadyLinkedToOther = 1,
}
