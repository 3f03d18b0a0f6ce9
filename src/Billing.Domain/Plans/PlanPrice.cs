namespace Billing.Domain.Plans;

/// <summary>A Stripe price id of the catalog with the plan and interval it stands for.</summary>
public sealed record PlanPrice(Plan Plan, BillingInterval Interval, string PriceId);
