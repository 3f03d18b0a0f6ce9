namespace Billing.Application.StripeEvents;

/// <summary>Applies one stored Stripe event to the billing accounts; must be safe to call again for the same event.</summary>
public interface IStripeEventProcessor
{
    Task ProcessAsync(StripeEventQueueMessage message, long deliveryAttempt, CancellationToken cancellationToken);
}
