using Billing.Application.Payments;
using Billing.Domain.Pricing;

namespace Billing.Application.Tests.StripeEvents.Simulation;

internal sealed class FaultyBillingGateway(IStripeBillingGateway inner, FaultPlan plan) : IStripeBillingGateway
{
    public Task<string> CreateCustomerAsync(NewStripeCustomer customer, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.createCustomer", () => inner.CreateCustomerAsync(customer, cancellationToken));

    public Task<HostedCheckoutSession> CreateCheckoutSessionAsync(HostedCheckoutRequest request, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.createCheckout", () => inner.CreateCheckoutSessionAsync(request, cancellationToken));

    public Task<HostedCheckoutSession> CreatePaymentCheckoutSessionAsync(HostedPaymentRequest request, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.createPaymentCheckout", () => inner.CreatePaymentCheckoutSessionAsync(request, cancellationToken));

    public Task<ChargeStanding?> GetChargeAsync(string chargeId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.getCharge", () => inner.GetChargeAsync(chargeId, cancellationToken));

    public Task<HostedPortalSession> CreatePortalSessionAsync(HostedPortalRequest request, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.createPortal", () => inner.CreatePortalSessionAsync(request, cancellationToken));

    public Task<CheckoutSessionExpiry> ExpireCheckoutSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.expireCheckout", () => inner.ExpireCheckoutSessionAsync(sessionId, cancellationToken));

    public Task CancelSubscriptionAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.cancelSubscription", async () =>
        {
            await inner.CancelSubscriptionAsync(subscriptionId, idempotencyKey, cancellationToken);
            return true;
        });

    public Task<Money?> RefundLatestInvoicePaymentAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) =>
        FaultyCall.RunAsync(plan, "stripe.refund", () => inner.RefundLatestInvoicePaymentAsync(subscriptionId, idempotencyKey, cancellationToken));
}
