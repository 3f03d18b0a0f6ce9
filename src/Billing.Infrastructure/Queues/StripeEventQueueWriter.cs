using Azure;
using Azure.Storage.Queues.Models;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// Sends event references to the queue the processor listens on (<c>STRIPE_EVENTS_QUEUE</c>), base64-encoded as the
/// trigger expects. One send per event; when the queue does not exist yet it is created and the send repeated once.
/// </summary>
public sealed class StripeEventQueueWriter(StripeEventQueues queues) : IStripeEventQueueWriter
{
    public async Task EnqueueAsync(StripeEventQueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = message.ToJson();
        try
        {
            await queues.Main.SendMessageAsync(text, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            await queues.Main.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await queues.Main.SendMessageAsync(text, cancellationToken).ConfigureAwait(false);
        }
    }
}
