namespace Billing.Domain.Accounts;

/// <summary>The account after <see cref="BillingAccount.AssignStripeCustomer"/>; its <c>StripeCustomerId</c> is the one to use.</summary>
public sealed record StripeCustomerAssignmentResult(StripeCustomerAssignmentOutcome Outcome, BillingAccount Account)
{
    public bool Changed => Outcome == StripeCustomerAssignmentOutcome.Assigned;
}
