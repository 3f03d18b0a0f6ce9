namespace Billing.Application.Payments;

/// <summary>
/// What the account-facing use cases need from Stripe: create the account's customer, a hosted Checkout Session and a
/// customer portal session. Implementations report failures (Stripe unreachable, rejected request) as
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

    Task<HostedPortalSession> CreatePortalSessionAsync(HostedPortalRequest request, CancellationToken cancellationToken);
}
