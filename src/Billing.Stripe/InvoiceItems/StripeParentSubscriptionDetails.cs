namespace Billing.Stripe.InvoiceItems;

/// <summary><c>parent.subscription_details</c>.</summary>
public sealed record StripeParentSubscriptionDetails
{
    public string? Subscription { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
