using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Queues;

/// <summary>The invoice jobs queue (<c>INVOICE_JOBS_QUEUE</c>) and its poison queue, both with the service client's base64 encoding.</summary>
public sealed class InvoiceJobQueues(QueueServiceClient service, IOptions<QueueNameOptions> options)
{
    public QueueClient Main { get; } = service.GetQueueClient(options.Value.InvoiceJobsQueueName);

    public QueueClient Poison { get; } = service.GetQueueClient(options.Value.InvoiceJobsPoisonQueueName);
}
