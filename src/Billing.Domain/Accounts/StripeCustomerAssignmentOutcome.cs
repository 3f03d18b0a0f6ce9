namespace Billing.Domain.Accounts;

/// <summary>What <see cref="BillingAccount.AssignStripeCustomer"/> decided.</summary>
public enum StripeCustomerAssignmentOutcome
{
    Assigned = 0,

    /// <summary>The account already has this customer: nothing to do.</summary>
    AlreadyAssigned = 1,

    /// <summary>The account already has a different customer, which is kept (never overwritten).</summary>
    KeptExisting = 2,

    /// <summary>The customer was deleted in Stripe and forgotten by the account; it is never assigned again.</summary>
    FormerCustomer = 3,
}
