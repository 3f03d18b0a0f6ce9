namespace Billing.Application.StripeEvents.Handling;

/// <summary>Applies one family of Stripe events. Must be idempotent: it may run again for the same event after a crash.</summary>
public interface IStripeEventTypeHandler
{
    /// <summary>
    /// The event types it applies: the processor hands it these, the webhook endpoint is registered for them
    /// (docs/deploy.md) and <see cref="Recovery.StripeEventRecovery"/> lists them from Stripe.
    /// </summary>
    IReadOnlySet<string> EventTypes { get; }

    Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken);
}
