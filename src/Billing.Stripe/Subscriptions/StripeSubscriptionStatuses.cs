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
