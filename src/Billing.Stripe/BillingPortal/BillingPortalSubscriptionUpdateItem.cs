namespace Billing.Stripe.BillingPortal;

/// <summary>One item of a subscription_update_confirm flow.</summary>
public sealed record BillingPortalSubscriptionUpdateItem
{
    /// <summary>The subscription item id (<c>si_...</c>).</summary>
    public required string Id { get; init; }

    public string? Price { get; init; }

    public long? Quantity { get; init; }
}
