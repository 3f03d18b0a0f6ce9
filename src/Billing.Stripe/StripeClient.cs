using Billing.Stripe.BillingPortal;
using Billing.Stripe.Checkout;
using Billing.Stripe.Customers;
using Billing.Stripe.Events;
using Billing.Stripe.Http;
using Billing.Stripe.InvoiceItems;
using Billing.Stripe.Invoices;
using Billing.Stripe.Meters;
using Billing.Stripe.Prices;
using Billing.Stripe.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Stripe;

/// <summary>The Stripe API client: per-resource services over one requestor (auth, pinned version, idempotency keys,
/// retries, timeouts, typed errors) over the given <see cref="HttpClient"/> (the seam tests replace).
/// Register it with <c>services.AddStripeClient(...)</c>, or construct it directly.</summary>
public sealed class StripeClient : IStripeClient
{
    /// <param name="httpClient">Used as is; its own Timeout should be at least <see cref="StripeClientOptions.Timeout"/>
    /// (the DI registration sets it to infinite and lets the per-attempt timeout govern).</param>
    /// <param name="options">Validated here: an invalid key, base address, retry count or timeout throws <see cref="ArgumentException"/>.</param>
    /// <param name="logger">Optional; paths, statuses and request ids only.</param>
    /// <param name="retryDelay">Optional; how to wait between retries (real delays by default).</param>
    public StripeClient(HttpClient httpClient, StripeClientOptions options, ILogger<StripeClient>? logger = null, IStripeRetryDelay? retryDelay = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid Stripe client options: " + string.Join(" ", errors), nameof(options));
        }

        var requestor = new StripeRequestor(httpClient, options, retryDelay ?? TaskRetryDelay.Instance, (ILogger?)logger ?? NullLogger.Instance);
        Customers = new CustomerService(requestor);
        CheckoutSessions = new CheckoutSessionService(requestor);
        BillingPortalSessions = new BillingPortalSessionService(requestor);
        Subscriptions = new SubscriptionService(requestor);
        Prices = new PriceService(requestor);
        InvoiceItems = new InvoiceItemService(requestor);
        Invoices = new InvoiceService(requestor);
        Events = new EventService(requestor);
        BillingMeterEvents = new MeterEventService(requestor);
    }

    public ICustomerService Customers { get; }

    public ICheckoutSessionService CheckoutSessions { get; }

    public IBillingPortalSessionService BillingPortalSessions { get; }

    public ISubscriptionService Subscriptions { get; }

    public IPriceService Prices { get; }

    public IInvoiceItemService InvoiceItems { get; }

    public IInvoiceService Invoices { get; }

    public IEventService Events { get; }

    public IMeterEventService BillingMeterEvents { get; }
}
