namespace Billing.Application.StripeEvents.Handling;

/// <summary>Applies one family of Stripe events. Must be idempotent: it may run again for the same event after a crash.</summary>
public interface IStripeEventTypeHandler
{
    bool CanHandle(string eventType);

    Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken);
}
