namespace Billing.Stripe.Common;

/// <summary>Values of the <c>object</c> field of the objects this library models.</summary>
public static class StripeObjectTypes
{
    public const string Customer = "customer";
    public const string CheckoutSession = "checkout.session";
    public const string BillingPortalSession = "billing_portal.session";
    public const string Subscription = "subscription";
    public const string SubscriptionItem = "subscription_item";
    public const string Price = "price";
    public const string InvoiceItem = "invoiceitem";
    public const string Invoice = "invoice";
    public const string Event = "event";
    public const string MeterEvent = "billing.meter_event";
    public const string List = "list";
    public const string SearchResult = "search_result";
}
