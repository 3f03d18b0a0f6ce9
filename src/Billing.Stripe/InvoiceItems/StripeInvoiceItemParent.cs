namespace Billing.Stripe.InvoiceItems;

/// <summary>Where an invoice item comes from (dahlia shape): <c>parent.subscription_details.subscription</c>.</summary>
public sealed record StripeInvoiceItemParent
{
    public string? Type { get; init; }

    public StripeParentSubscriptionDetails? SubscriptionDetails { get; init; }
}
