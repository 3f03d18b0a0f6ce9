using Billing.Application.StripeEvents;

namespace Billing.FunctionApp.Functions.ProcessStripeEvent;

/// <summary>Queue trigger on <c>%STRIPE_EVENTS_QUEUE%</c>: hands each stored Stripe event to the processor. Throws to have the delivery retried.</summary>
public sealed class ProcessStripeEventFunction(IStripeEventProcessor processor) : IQueueTriggeredFunction
{
    public const string FunctionName = "ProcessStripeEvent";

    public string Name => FunctionName;

    public Task RunAsync(QueueTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var message = StripeEventQueueMessage.Parse(trigger.MessageText);
        return processor.ProcessAsync(message, trigger.DequeueCount, cancellationToken);
    }
}
