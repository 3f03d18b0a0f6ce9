namespace Billing.Stripe.BillingPortal;

/// <summary>Values of <c>flow_data[type]</c>.</summary>
public static class BillingPortalFlowTypes
{
    public const string PaymentMethodUpdate = "payment_method_update";
    public const string SubscriptionCancel = "subscription_cancel";
    public const string SubscriptionUpdate = "subscription_update";
    public const string SubscriptionUpdateConfirm = "subscription_update_confirm";
}
