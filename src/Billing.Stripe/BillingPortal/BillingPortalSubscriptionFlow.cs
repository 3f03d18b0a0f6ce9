namespace Billing.Stripe.BillingPortal;

/// <summary><c>flow_data[subscription_cancel]</c> or <c>flow_data[subscription_update]</c>.</summary>
public sealed record BillingPortalSubscriptionFlow
{
    public required string Subscription { get; init; }
}
