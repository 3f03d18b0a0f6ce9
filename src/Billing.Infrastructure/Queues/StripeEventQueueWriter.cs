using Azure;
using Azure.Storage.Queues.Models;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// Sends event references to the queue the processor listens on (<c>STRIPE_EVENTS_QUEUE</c>), base64-encoded as the
/// trigger expects, never expiring. One send per event; when the queue does not exist yet it is created and the send repeated once.
/// An outage of the queue service is the application's <see cref="Billing.Application.ServiceUnavailableException"/> (<see cref="QueueOutage"/>).
/// Deletes are best effort: a message already gone or a failing queue is reported as not deleted, never thrown.
/// </summary>
public sealed class StripeEventQueueWriter(StripeEventQueues queues) : IStripeEventQueueWriter
{
    public async Task<StripeEventQueueReceipt> EnqueueAsync(StripeEventQueueMessage message, TimeSpan initialInvisibility, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = message.ToJson();
        TimeSpan? visibility = initialInvisibility > TimeSpan.Zero ? initialInvisibility : null;
        try
        {
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
        catch (Exception exception) when (QueueOutage.Is(exception, cancellationToken))
        {
            // The queue service down or unreachable: the webhook answers 503 and Stripe's retry mends it, as every other
            // queue adapter says (a refusal, such as a missing role, stays the SDK's failure).
            throw QueueOutage.Of(queues.Main.Name, exception);
        }
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
