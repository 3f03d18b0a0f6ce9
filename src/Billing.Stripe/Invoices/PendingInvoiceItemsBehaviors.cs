namespace Billing.Stripe.Invoices;

/// <summary>Values of <c>pending_invoice_items_behavior</c>.</summary>
public static class PendingInvoiceItemsBehaviors
{
    public const string Exclude = "exclude";
    public const string Include = "include";
}
