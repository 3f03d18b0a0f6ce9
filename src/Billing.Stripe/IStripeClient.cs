using Billing.Stripe.BillingPortal;
using Billing.Stripe.Checkout;
using Billing.Stripe.Customers;
using Billing.Stripe.Events;
using Billing.Stripe.InvoiceItems;
using Billing.Stripe.Invoices;
using Billing.Stripe.Meters;
using Billing.Stripe.Prices;
using Billing.Stripe.Subscriptions;

namespace Billing.Stripe;

/// <summary>The Stripe API, one service per resource, at API version <see cref="StripeApiVersion.Current"/>.</summary>
public interface IStripeClient
{
    ICustomerService Customers { get; }

    ICheckoutSessionService CheckoutSessions { get; }

    IBillingPortalSessionService BillingPortalSessions { get; }

    ISubscriptionService Subscriptions { get; }

    IPriceService Prices { get; }

    IInvoiceItemService InvoiceItems { get; }

    IInvoiceService Invoices { get; }

    IEventService Events { get; }

    IMeterEventService BillingMeterEvents { get; }
}
