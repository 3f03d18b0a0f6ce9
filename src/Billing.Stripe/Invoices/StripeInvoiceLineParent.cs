namespace Billing.Stripe.Invoices;

/// <summary><c>line.parent</c>: type invoice_item_details or subscription_item_details.</summary>
public sealed record StripeInvoiceLineParent
{
    public string? Type { get; init; }

    public StripeInvoiceItemDetails? InvoiceItemDetails { get; init; }

    public StripeSubscriptionItemDetails? SubscriptionItemDetails { get; init; }
}
