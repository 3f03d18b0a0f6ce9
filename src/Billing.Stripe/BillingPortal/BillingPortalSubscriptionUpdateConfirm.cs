namespace Billing.Stripe.BillingPortal;

/// <summary><c>flow_data[subscription_update_confirm]</c>: the change the customer is asked to confirm.</summary>
public sealed record BillingPortalSubscriptionUpdateConfirm
{
    public required string Subscription { get; init; }

    public required IReadOnlyList<BillingPortalSubscriptionUpdateItem> Items { get; init; }
}
