using System.Text.Json.Serialization;
using Billing.Stripe.Common;
using Billing.Stripe.Customers;
using Billing.Stripe.Invoices;
using Billing.Stripe.Subscriptions;

namespace Billing.Stripe.Checkout;

/// <summary>A Checkout Session (<c>object: "checkout.session"</c>).</summary>
public sealed record StripeCheckoutSession : IStripeEntity
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    /// <summary>payment, setup or subscription (<see cref="CheckoutSessionModes"/>).</summary>
    public string? Mode { get; init; }

    /// <summary>open, complete or expired (<see cref="CheckoutSessionStatuses"/>).</summary>
    public string? Status { get; init; }

    /// <summary>paid, unpaid or no_payment_required (<see cref="CheckoutPaymentStatuses"/>).</summary>
    public string? PaymentStatus { get; init; }

    /// <summary>hosted_page, embedded_page or elements; null on sessions that predate the field.</summary>
    public string? UiMode { get; init; }

    /// <summary>Where to send the customer (hosted mode); null once the session is complete or expired.</summary>
    public string? Url { get; init; }

    public string? ClientSecret { get; init; }

    public string? ClientReferenceId { get; init; }

    public StripeExpandable<StripeCustomer>? Customer { get; init; }

    public string? CustomerEmail { get; init; }

    public CheckoutCustomerDetails? CustomerDetails { get; init; }

    public StripeExpandable<StripeSubscription>? Subscription { get; init; }

    public StripeExpandable<StripeInvoice>? Invoice { get; init; }

    public StripeExpandable<StripeObjectReference>? PaymentIntent { get; init; }

    public string? Currency { get; init; }

    public long? AmountSubtotal { get; init; }

    public long? AmountTotal { get; init; }

    public bool? AllowPromotionCodes { get; init; }

    public string? SuccessUrl { get; init; }

    public string? CancelUrl { get; init; }

    public DateTimeOffset? Created { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public bool Livemode { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Present only when retrieved with <c>expand[]=line_items</c>.</summary>
    public StripeList<StripeCheckoutLineItem>? LineItems { get; init; }
}
