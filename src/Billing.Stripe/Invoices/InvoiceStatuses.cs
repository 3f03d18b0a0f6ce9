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
