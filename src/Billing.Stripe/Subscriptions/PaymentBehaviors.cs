namespace Billing.Stripe.Subscriptions;

/// <summary>Values of <c>payment_behavior</c> on subscription updates.</summary>
public static class PaymentBehaviors
{
    public const string AllowIncomplete = "allow_incomplete";
    public const string DefaultIncomplete = "default_incomplete";
    public const string ErrorIfIncomplete = "error_if_incomplete";
    public const string PendingIfIncomplete = "pending_if_incomplete";
}
