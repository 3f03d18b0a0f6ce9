namespace Billing.Stripe.Invoices;

/// <summary><c>line.parent</c>: type invoice_item_details or subscription_item_details.</summary>
public sealed record StripeInvoiceLineParent
{
    public string? Type { get; init; }

    public StripeInvoiceItemDetails? InvoiceItemDetails { get; init; }

    public StripeSubscriptionItemDetails? SubscriptionItemDetails { get; init; }
}

/// <summary><c>parent.invoice_item_details</c>.</summary>
public sealed record StripeInvoiceItemDetails
{
    public string? InvoiceItem { get; init; }

    public bool? Proration { get; init; }

    public string? Subscription { get; init; }
}

/// <summary><c>parent.subscription_item_details</c>.</summary>
public sealed record StripeSubscriptionItemDetails
{
    public string? InvoiceItem { get; init; }

    public bool? Proration { get; init; }

    public string? Subscription { get; init; }

    public string? SubscriptionItem { get; init; }
}
