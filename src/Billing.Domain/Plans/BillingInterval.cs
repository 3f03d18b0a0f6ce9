namespace Billing.Domain.Plans;

/// <summary>How often a paid plan is billed; the values Stripe calls <c>month</c> and <c>year</c>.</summary>
public enum BillingInterval
{
    Month = 1,
    Year = 2,
}
