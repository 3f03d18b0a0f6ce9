using Azure;
using Azure.Storage.Queues.Models;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// Sends event references to the queue the processor listens on (<c>STRIPE_EVENTS_QUEUE</c>), base64-encoded as the
/// trigger expects, never expiring. One send per event; when the queue does not exist yet it is created and the send repeated once.
/// Deletes are best effort: a message already gone or a failing queue is reported as not deleted, never thrown.
/// </summary>
public sealed class StripeEventQueueWriter(StripeEventQueues queues) : IStripeEventQueueWriter
{
    public async Task<StripeEventQueueReceipt> EnqueueAsync(StripeEventQueueMessage message, TimeSpan initialInvisibility, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = message.ToJson();
        TimeSpan? visibility = initialInvisibility > TimeSpan.Zero ? initialInvisibility : null;
        SendReceipt sent;
        try
        {
            sent = await queues.Main.SendMessageAsync(text, visibility, QueueServiceFactory.NeverExpires, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            await queues.Main.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            sent = await queues.Main.SendMessageAsync(text, visibility, QueueServiceFactory.NeverExpires, cancellationToken).ConfigureAwait(false);
        }

        return new StripeEventQueueReceipt(sent.MessageId, sent.PopReceipt);
    }

    public async Task<bool> DeleteAsync(StripeEventQueueReceipt receipt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        try
        {
            await queues.Main.DeleteMessageAsync(receipt.MessageId, receipt.PopReceipt, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException)
        {
            return false;
        }
    }
}
