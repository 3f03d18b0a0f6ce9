using Billing.Domain.Pricing;

namespace Billing.Application.Payments;

/// <summary>
/// What the use cases need to change in Stripe: create the account's customer, a hosted Checkout Session and a
/// customer portal session; expire an open Checkout Session; cancel and refund a duplicate subscription. Implementations report failures (Stripe unreachable, rejected request) as
/// <see cref="PaymentProviderException"/>.
/// </summary>
public interface IStripeBillingGateway
{
    /// <summary>
    /// Creates a Stripe customer tagged with the account id. The same <see cref="NewStripeCustomer.IdempotencyKey"/>
    /// always yields the same customer (Stripe's idempotency), so racing callers get one customer.
    /// </summary>
    /// <returns>The customer id (<c>cus_...</c>).</returns>
    Task<string> CreateCustomerAsync(NewStripeCustomer customer, CancellationToken cancellationToken);

    Task<HostedCheckoutSession> CreateCheckoutSessionAsync(HostedCheckoutRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// A payment-mode Checkout Session for a one-off purchase. Every call is a new purchase (the customer may buy the
    /// same pack twice), so no idempotency key is derived; Stripe.net's own key covers its retries of this one call.
    /// </summary>
    Task<HostedCheckoutSession> CreatePaymentCheckoutSessionAsync(HostedPaymentRequest request, CancellationToken cancellationToken);

    /// <summary>The charge as Stripe has it now (disputes name only the charge; refunds fail later); null when it is unknown.</summary>
    Task<ChargeStanding?> GetChargeAsync(string chargeId, CancellationToken cancellationToken);

    Task<HostedPortalSession> CreatePortalSessionAsync(HostedPortalRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Expires an open Checkout Session so it can no longer be paid. A session that is already completed or expired
    /// is fine (no exception): it is no longer payable either. Which of the two it is matters to a caller about to sell
    /// in its place: a completed one was paid, and its subscription exists in Stripe before its webhook is processed.
    /// </summary>
    Task<CheckoutSessionExpiry> ExpireCheckoutSessionAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Cancels the subscription now (no proration, no final invoice). Already canceled is fine.</summary>
    Task CancelSubscriptionAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// Refunds, in full, the payment of the subscription's latest invoice. Idempotent: a payment already refunded in
    /// full returns the refunded amount again. A payment charged back (disputed) is not refunded (Stripe refuses it: the
    /// dispute returns the money); what was refunded before, possibly nothing, is returned, so the caller goes on.
    /// </summary>
    /// <returns>The refunded amount, or null when there was nothing paid (e.g. a trial or a zero invoice).</returns>
    Task<Money?> RefundLatestInvoicePaymentAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>
/// A charge as Stripe has it now: its customer, how much of it is refunded (refunds succeeded, pending or awaiting
/// action; one that failed or was canceled does not count) and whether a dispute of it is open or lost (a won one does
/// not count).
/// </summary>
public sealed record ChargeStanding(string? CustomerId, long AmountRefunded, bool Disputed)
{
    /// <summary>Whether a refund or a dispute takes (or may still take) its payment back.</summary>
    public bool IsTakenBack => AmountRefunded > 0 || Disputed;
}

/// <summary>A created Checkout Session: its id, the page to send the customer to and when Stripe expires it (when known).</summary>
public sealed record HostedCheckoutSession(string SessionId, Uri Url, DateTimeOffset? ExpiresAt = null);

/// <summary>A created portal session: the page to send the customer to (short-lived, single use).</summary>
public sealed record HostedPortalSession(string SessionId, Uri Url);

/// <summary>A customer portal session for the account's customer, returning to <see cref="ReturnUrl"/>.</summary>
public sealed record HostedPortalRequest
{
    public required string CustomerId { get; init; }

    public required string ReturnUrl { get; init; }
}
