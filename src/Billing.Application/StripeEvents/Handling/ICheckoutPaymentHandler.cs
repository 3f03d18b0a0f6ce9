using Billing.Domain.Accounts;

namespace Billing.Application.StripeEvents.Handling;

/// <summary>
/// Takes completed payment-mode Checkout Sessions (one-off purchases such as prepaid credits). Implemented by the
/// feature that sells them; while none is registered such sessions are recorded and ignored. Must be idempotent
/// (key its effect on <see cref="StripeEventPayload.PaymentIntentId"/> or the session id).
/// </summary>
public interface ICheckoutPaymentHandler
{
    /// <summary>Handles <paramref name="session"/> for the account it belongs to, as the caller has just read (or created) it.</summary>
    Task<StripeEventHandlingResult> HandleAsync(BillingAccount account, StripeEventPayload session, CancellationToken cancellationToken);
}
