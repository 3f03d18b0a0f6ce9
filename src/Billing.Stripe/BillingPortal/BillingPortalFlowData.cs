namespace Billing.Stripe.BillingPortal;

/// <summary><c>flow_data</c>: see <see cref="BillingPortalFlowTypes"/> for <see cref="Type"/>.</summary>
public sealed record BillingPortalFlowData
{
    public required string Type { get; init; }

    public BillingPortalFlowAfterCompletion? AfterCompletion { get; init; }

    public BillingPortalSubscriptionFlow? SubscriptionCancel { get; init; }

    public BillingPortalSubscriptionFlow? SubscriptionUpdate { get; init; }

    public BillingPortalSubscriptionUpdateConfirm? SubscriptionUpdateConfirm { get; init; }
}
