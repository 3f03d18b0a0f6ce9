namespace Billing.Application.StripeCustomers;

public enum CustomerLinkOutcome
{
    /// <summary>The customer is linked to the requested account (now, or already before).</summary>
    Linked = 0,

    /// <summary>The customer was already linked to a different account, which is kept.</summary>
    AlreadyLinkedToOther = 1,
}
