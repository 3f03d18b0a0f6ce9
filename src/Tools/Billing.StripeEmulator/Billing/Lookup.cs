using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;

namespace Billing.StripeEmulator.Billing;

/// <summary>
/// Finding objects by id with Stripe's errors: an id in the URL -> 404 `param: id`; an id given as a parameter
/// -> 400 naming that parameter.
/// </summary>
internal static class Lookup
{
    public static T Find<T>(Dictionary<string, T> table, string kind, string id, string? param = null)
    {
        if (table.TryGetValue(id, out var found))
        {
            return found;
        }

        throw param is null ? StripeApiException.NoSuchObject(kind, id) : StripeApiException.NoSuchReference(kind, id, param);
    }

    /// <summary>A live customer: a deleted one is "No such customer", as on Stripe.</summary>
    public static CustomerRecord Customer(EmulatorState state, string id, string? param = null)
    {
        var customer = Find(state.Customers, "customer", id, param);
        return customer.Deleted
            ? throw (param is null ? StripeApiException.NoSuchObject("customer", id) : StripeApiException.NoSuchReference("customer", id, param))
            : customer;
    }

    public static PriceRecord Price(EmulatorState state, string id, string? param = null) => Find(state.Prices, "price", id, param);

    public static ProductRecord Product(EmulatorState state, string id, string? param = null) => Find(state.Products, "product", id, param);

    public static SubscriptionRecord Subscription(EmulatorState state, string id, string? param = null) => Find(state.Subscriptions, "subscription", id, param);

    public static InvoiceRecord Invoice(EmulatorState state, string id, string? param = null) => Find(state.Invoices, "invoice", id, param);

    public static InvoiceItemRecord InvoiceItem(EmulatorState state, string id, string? param = null) => Find(state.InvoiceItems, "invoiceitem", id, param);

    public static CheckoutSessionRecord CheckoutSession(EmulatorState state, string id, string? param = null) => Find(state.CheckoutSessions, "checkout.session", id, param);

    public static PaymentIntentRecord PaymentIntent(EmulatorState state, string id, string? param = null) => Find(state.PaymentIntents, "payment_intent", id, param);

    public static ChargeRecord Charge(EmulatorState state, string id, string? param = null) => Find(state.Charges, "charge", id, param);

    public static RefundRecord Refund(EmulatorState state, string id, string? param = null) => Find(state.Refunds, "refund", id, param);

    public static EventRecord Event(EmulatorState state, string id) => Find(state.Events, "event", id);

    public static string ProductName(EmulatorState state, PriceRecord price) =>
        state.Products.TryGetValue(price.ProductId, out var product) ? product.Name : price.ProductId;
}
