using Billing.Application.StripeEvents;

namespace Billing.FunctionApp.Functions.ProcessStripeEvent;

/// <summary>
/// Foundation stand-in until the webhook processor exists: records that the event reached the processor.
/// Replaced by the real processor (Stripe webhooks issue).
/// </summary>
public sealed partial class LoggingStripeEventProcessor(ILogger<LoggingStripeEventProcessor> logger) : IStripeEventProcessor
{
    public Task ProcessAsync(StripeEventQueueMessage message, long deliveryAttempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        LogReceived(message.EventId, message.Type, deliveryAttempt);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) reached the processor on attempt {DeliveryAttempt}")]
    private partial void LogReceived(string eventId, string? eventType, long deliveryAttempt);
}
