namespace Billing.Stripe.Invoices;

/// <summary><c>parent.subscription_item_details</c>.</summary>
public sealed record StripeSubscriptionItemDetails
{
    public string? InvoiceItem { get; init; }

    public bool? Proration { get; init; }

    public string? Subscription { get; init; }

    public string? SubscriptionItem { get; init; }
}
