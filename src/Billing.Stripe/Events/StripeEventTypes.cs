namespace Billing.Stripe.Events;

/// <summary>Event types the billing product handles. <see cref="StripeEvent.Type"/> is a free string: Stripe adds types.</summary>
public static class StripeEventTypes
{
    public const string CheckoutSessionCompleted = "checkout.session.completed";
    public const string CheckoutSessionExpired = "checkout.session.expired";
    public const string CheckoutSessionAsyncPaymentSucceeded = "checkout.session.async_payment_succeeded";
    public const string CheckoutSessionAsyncPaymentFailed = "checkout.session.async_payment_failed";

    public const string CustomerCreated = "customer.created";
    public const string CustomerUpdated = "customer.updated";
    public const string CustomerDeleted = "customer.deleted";

    public const string CustomerSubscriptionCreated = "customer.subscription.created";
    public const string CustomerSubscriptionUpdated = "customer.subscription.updated";
    public const string CustomerSubscriptionDeleted = "customer.subscription.deleted";
    public const string CustomerSubscriptionPaused = "customer.subscription.paused";
    public const string CustomerSubscriptionResumed = "customer.subscription.resumed";
    public const string CustomerSubscriptionTrialWillEnd = "customer.subscription.trial_will_end";
    public const string CustomerSubscriptionPendingUpdateApplied = "customer.subscription.pending_update_applied";
    public const string CustomerSubscriptionPendingUpdateExpired = "customer.subscription.pending_update_expired";

    public const string InvoiceCreated = "invoice.created";
    public const string InvoiceFinalized = "invoice.finalized";
    public const string InvoicePaid = "invoice.paid";
    public const string InvoicePaymentSucceeded = "invoice.payment_succeeded";
    public const string InvoicePaymentFailed = "invoice.payment_failed";
    public const string InvoicePaymentActionRequired = "invoice.payment_action_required";
    public const string InvoiceUpcoming = "invoice.upcoming";
    public const string InvoiceVoided = "invoice.voided";
    public const string InvoiceMarkedUncollectible = "invoice.marked_uncollectible";
    public const string InvoiceOverdue = "invoice.overdue";

    public const string EntitlementsActiveEntitlementSummaryUpdated = "entitlements.active_entitlement_summary.updated";
}
