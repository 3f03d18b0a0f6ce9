namespace Billing.Stripe.Invoices;

/// <summary><c>parent.invoice_item_details</c>.</summary>
public sealed record StripeInvoiceItemDetails
{
    public string? InvoiceItem { get; init; }

    public bool? Proration { get; init; }

    public string? Subscription { get; init; }
}
