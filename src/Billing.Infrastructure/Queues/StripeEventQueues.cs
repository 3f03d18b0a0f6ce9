using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Queues;

/// <summary>The Stripe events queue and its poison queue, both with the service client's base64 encoding.</summary>
public sealed class StripeEventQueues(QueueServiceClient service, IOptions<QueueNameOptions> options)
{
    public QueueClient Main { get; } = service.GetQueueClient(options.Value.QueueName);

    public QueueClient Poison { get; } = service.GetQueueClient(options.Value.PoisonQueueName);
}
