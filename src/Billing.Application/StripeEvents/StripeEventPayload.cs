using Billing.Application.Credits;

namespace Billing.Application.StripeEvents;

/// <summary>
/// What the processor needs from a stored Stripe event, read from its raw payload by
/// <see cref="IStripeEventPayloadReader"/>: the event's identity and the ids it refers to. Subscription state is
/// never taken from here: it is fetched from Stripe, so delivery order cannot matter.
/// </summary>
public sealed record StripeEventPayload
{
    public required string Id { get; init; }

    /// <summary>e.g. <c>customer.subscription.updated</c>.</summary>
    public required string Type { get; init; }

    public required DateTimeOffset Created { get; init; }

    /// <summary>The <c>object</c> of <c>data.object</c>: <c>subscription</c>, <c>invoice</c>, <c>checkout.session</c>, <c>customer</c>, ...</summary>
    public string? ObjectType { get; init; }

    public string? ObjectId { get; init; }

    /// <summary>The Stripe customer the object belongs to (for a customer object, its own id).</summary>
    public string? CustomerId { get; init; }

    /// <summary>The subscription the object is or belongs to (a subscription's id, an invoice's parent subscription, a Checkout Session's subscription).</summary>
    public string? SubscriptionId { get; init; }

    /// <summary>
    /// The billing account the object names: a Checkout Session's <c>client_reference_id</c>, else the
    /// <c>account_id</c> metadata the backend puts on sessions, subscriptions and customers. Unvalidated text.
    /// </summary>
    public string? AccountReference { get; init; }

    /// <summary>Checkout Sessions: <c>payment</c>, <c>subscription</c> or <c>setup</c>.</summary>
    public string? CheckoutMode { get; init; }

    /// <summary>Checkout Sessions: <c>paid</c>, <c>unpaid</c> or <c>no_payment_required</c>.</summary>
    public string? PaymentStatus { get; init; }

    /// <summary>Payment-mode Checkout Sessions, charges, refunds and disputes: the PaymentIntent that was paid.</summary>
    public string? PaymentIntentId { get; init; }

    /// <summary>Payment-mode Checkout Sessions: the amount paid in minor units of <see cref="Currency"/>.</summary>
    public long? AmountTotal { get; init; }

    public string? Currency { get; init; }

    /// <summary>Payment-mode Checkout Sessions: what the session sold and on which terms (its metadata).</summary>
    public PurchaseTerms? Purchase { get; init; }

    /// <summary>Disputes and refunds: their charge (charges: their own id).</summary>
    public string? ChargeId { get; init; }

    /// <summary>Disputes: <c>won</c>, <c>lost</c>, <c>needs_response</c>, ...; refunds: <c>succeeded</c>, <c>failed</c>, ...</summary>
    public string? ObjectStatus { get; init; }

    /// <summary>Invoices: <c>subscription_create</c>, <c>subscription_cycle</c>, <c>subscription_update</c>, <c>manual</c>, ...</summary>
    public string? BillingReason { get; init; }

    /// <summary>
    /// Invoices: the <c>billing_run</c> metadata an invoicing run puts on the usage invoice it creates (its run id,
    /// <c>{accountId}:{periodKey}</c>). Unvalidated text; a copy of the invoice made in the dashboard may carry it too.
    /// </summary>
    public string? BillingRun { get; init; }

    /// <summary>
    /// Not from Stripe: how this processing attempt came (set by the processor). A handler whose write has a
    /// write-behind copy writes the copy again on a retry, and logs instead of throwing when it cannot on the last delivery.
    /// </summary>
    public QueueDelivery Delivery { get; init; } = QueueDelivery.First;
}
