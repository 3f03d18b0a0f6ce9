using System.Text.Json.Serialization;
using Billing.Stripe.BillingPortal;
using Billing.Stripe.Checkout;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.Events;
using Billing.Stripe.InvoiceItems;
using Billing.Stripe.Invoices;
using Billing.Stripe.Meters;
using Billing.Stripe.Prices;
using Billing.Stripe.Subscriptions;

namespace Billing.Stripe.Serialization;

/// <summary>Source-generated JSON metadata for every Stripe object and request: snake_case names, Unix-second
/// timestamps, unknown fields ignored, nulls not written (so request encoding skips unset parameters).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UnixDateTimeOffsetConverter)])]
[JsonSerializable(typeof(StripeErrorEnvelope))]
[JsonSerializable(typeof(StripeObjectReference))]
[JsonSerializable(typeof(StripeCustomer))]
[JsonSerializable(typeof(StripeSearchResult<StripeCustomer>))]
[JsonSerializable(typeof(StripeCheckoutSession))]
[JsonSerializable(typeof(StripeBillingPortalSession))]
[JsonSerializable(typeof(StripeSubscription))]
[JsonSerializable(typeof(StripeList<StripeSubscription>))]
[JsonSerializable(typeof(StripePrice))]
[JsonSerializable(typeof(StripeList<StripePrice>))]
[JsonSerializable(typeof(StripeInvoiceItem))]
[JsonSerializable(typeof(StripeInvoice))]
[JsonSerializable(typeof(StripeList<StripeInvoice>))]
[JsonSerializable(typeof(StripeEvent))]
[JsonSerializable(typeof(StripeList<StripeEvent>))]
[JsonSerializable(typeof(StripeMeterEvent))]
[JsonSerializable(typeof(RetrieveRequest))]
[JsonSerializable(typeof(CustomerCreateRequest))]
[JsonSerializable(typeof(CustomerSearchRequest))]
[JsonSerializable(typeof(CheckoutSessionCreateRequest))]
[JsonSerializable(typeof(BillingPortalSessionCreateRequest))]
[JsonSerializable(typeof(SubscriptionListRequest))]
[JsonSerializable(typeof(SubscriptionUpdateRequest))]
[JsonSerializable(typeof(SubscriptionCancelRequest))]
[JsonSerializable(typeof(PriceListRequest))]
[JsonSerializable(typeof(InvoiceItemCreateRequest))]
[JsonSerializable(typeof(InvoiceCreateRequest))]
[JsonSerializable(typeof(InvoiceFinalizeRequest))]
[JsonSerializable(typeof(InvoicePayRequest))]
[JsonSerializable(typeof(InvoiceListRequest))]
[JsonSerializable(typeof(EventListRequest))]
[JsonSerializable(typeof(MeterEventCreateRequest))]
internal sealed partial class StripeJsonContext : JsonSerializerContext
{
}
