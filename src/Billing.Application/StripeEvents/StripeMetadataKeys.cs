namespace Billing.Application.StripeEvents;

/// <summary>Metadata keys the backend sets on Stripe objects it creates.</summary>
public static class StripeMetadataKeys
{
    /// <summary>The billing account id, on Checkout Sessions, their subscriptions (<c>subscription_data.metadata</c>) and customers.</summary>
    public const string AccountId = "account_id";
}
