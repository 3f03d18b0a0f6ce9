using Billing.Application.StripeEvents;

namespace Billing.FunctionApp.Webhooks;

/// <summary>
/// Queue trigger on <c>%STRIPE_EVENTS_QUEUE%</c>: hands each stored Stripe event to the processor. A failure throws,
/// so the host makes the message visible again and, after host.json's <c>maxDequeueCount</c>, moves it to the poison queue.
/// </summary>
public sealed class ProcessStripeEventFunction(IStripeEventProcessor processor)
{
    [Function("ProcessStripeEvent")]
    public Task Run([QueueTrigger("%STRIPE_EVENTS_QUEUE%", Connection = "AzureWebJobsStorage")] string message, long dequeueCount, CancellationToken cancellationToken) =>
        processor.ProcessAsync(StripeEventQueueMessage.Parse(message), dequeueCount, cancellationToken);
}
