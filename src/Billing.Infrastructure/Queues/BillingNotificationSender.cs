using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Billing.Application.Usage;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Queues;

/// <summary>
/// Sends notifications for the product to <c>BILLING_NOTIFICATIONS_QUEUE</c> (default <c>billing-notifications</c>)
/// as camelCase JSON, base64-encoded like every queue of the app (docs/notifications.md). The queue is created on
/// the first send that finds it missing. Messages live 7 days, the queue service's default.
/// </summary>
public sealed class BillingNotificationSender(QueueServiceClient service, IOptions<QueueNameOptions> options) : IBillingNotifications
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly QueueClient _queue = service.GetQueueClient(options.Value.NotificationsQueueName);

    public async Task PublishAsync(UsageThresholdReached notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var text = JsonSerializer.Serialize(notification, Json);
        try
        {
            await _queue.SendMessageAsync(text, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await _queue.SendMessageAsync(text, cancellationToken).ConfigureAwait(false);
        }
    }
}
