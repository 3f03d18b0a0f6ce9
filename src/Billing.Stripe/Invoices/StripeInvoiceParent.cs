using Billing.Stripe.InvoiceItems;

namespace Billing.Stripe.Invoices;

/// <summary><c>invoice.parent</c>: type quote_details or subscription_details.</summary>
public sealed record StripeInvoiceParent
{
    public string? Type { get; init; }

    public StripeParentSubscriptionDetails? SubscriptionDetails { get; init; }
}
