namespace Billing.Stripe.Invoices;

/// <summary>Values of an invoice's <c>status</c>.</summary>
public static class InvoiceStatuses
{
    public const string Draft = "draft";
    public const string Open = "open";
    public const string Paid = "paid";
    public const string Uncollectible = "uncollectible";
    public const string Void = "void";
}

/// <summary>Values of <c>collection_method</c>.</summary>
public static class CollectionMethods
{
    public const string ChargeAutomatically = "charge_automatically";
    public const string SendInvoice = "send_invoice";
}

/// <summary>Values of <c>pending_invoice_items_behavior</c>.</summary>
public static class PendingInvoiceItemsBehaviors
{
    public const string Exclude = "exclude";
    public const string Include = "include";
}
