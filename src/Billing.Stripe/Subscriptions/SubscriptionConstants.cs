namespace Billing.Stripe.Subscriptions;

/// <summary>Known values of a subscription's <c>status</c>; Stripe may add others.</summary>
public static class StripeSubscriptionStatuses
{
    public const string Incomplete = "incomplete";
    public const string IncompleteExpired = "incomplete_expired";
    public const string Trialing = "trialing";
    public const string Active = "active";
    public const string PastDue = "past_due";
    public const string Canceled = "canceled";
    public const string Unpaid = "unpaid";
    public const string Paused = "paused";
}

/// <summary>Values of <c>proration_behavior</c>.</summary>
public static class ProrationBehaviors
{
    public const string AlwaysInvoice = "always_invoice";
    public const string CreateProrations = "create_prorations";
    public const string None = "none";
}

/// <summary>Values of <c>payment_behavior</c> on subscription updates.</summary>
public static class PaymentBehaviors
{
    public const string AllowIncomplete = "allow_incomplete";
    public const string DefaultIncomplete = "default_incomplete";
    public const string ErrorIfIncomplete = "error_if_incomplete";
    public const string PendingIfIncomplete = "pending_if_incomplete";
}
