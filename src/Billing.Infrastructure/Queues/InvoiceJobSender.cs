using Azure;
using Azure.Storage.Queues.Models;
using Billing.Application.Invoicing;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// Puts usage invoicing jobs on <c>INVOICE_JOBS_QUEUE</c> (default <c>invoice-jobs</c>), where the
/// <c>InvoiceAccount</c> function picks them up: <see cref="InvoiceJob.ToJson"/>, base64-encoded like every queue of
/// the app. The queue is created on the first send that finds it missing. A job sent twice is harmless (the run is
/// stored once per account and period). A job never expires (the service's default is 7 days): the daily timer queues a
/// period again only while it is in its look-back window, so a job queued by an operator for an older month, or by a
/// catch-up after downtime, would otherwise be lost while the processor is stopped. An outage of the queue service is a <see cref="Billing.Application.ServiceUnavailableException"/>.
/// </summary>
public sealed class InvoiceJobSender(InvoiceJobQueues queues) : IInvoiceJobs
{
    public async Task EnqueueAsync(InvoiceJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var text = job.ToJson();
        try
        {
            await SendAsync(text, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (QueueOutage.Is(exception, cancellationToken))
        {
            throw QueueOutage.Of(queues.Main.Name, exception);
        }
    }

    private async Task SendAsync(string text, CancellationToken cancellationToken)
    {
        try
        {
            await queues.Main.SendMessageAsync(text, visibilityTimeout: null, timeToLive: QueueServiceFactory.NeverExpires, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            await queues.Main.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await queues.Main.SendMessageAsync(text, visibilityTimeout: null, timeToLive: QueueServiceFactory.NeverExpires, cancellationToken).ConfigureAwait(false);
        }
    }
}
