namespace Billing.Stripe.Invoices;

/// <summary>Values of <c>collection_method</c>.</summary>
public static class CollectionMethods
{
    public const string ChargeAutomatically = "charge_automatically";
    public const string SendInvoice = "send_invoice";
}
