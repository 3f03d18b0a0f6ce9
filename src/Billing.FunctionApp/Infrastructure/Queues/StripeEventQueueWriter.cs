using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;
using Billing.QueueStorage;

namespace Billing.FunctionApp.Infrastructure.Queues;

/// <summary>
/// Sends event references to the queue <c>ProcessStripeEvent</c> listens on (its function.json names it). One send
/// per event; when the queue does not exist yet it is created and the send repeated once.
/// </summary>
public sealed class StripeEventQueueWriter(QueueServiceClient queues, IConfiguration configuration) : IStripeEventQueueWriter
{
    private readonly QueueClient _queue = queues.GetQueueClient(configuration["STRIPE_EVENTS_QUEUE"] ?? "stripe-events");

    public async Task EnqueueAsync(StripeEventQueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = message.ToJson();
        try
        {
            await _queue.SendAsync(text, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (QueueStorageException exception) when (exception.ErrorCode == QueueStorageErrorCodes.QueueNotFound)
        {
            await _queue.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            await _queue.SendAsync(text, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
