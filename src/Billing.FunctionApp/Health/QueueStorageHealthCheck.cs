using Billing.QueueStorage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Billing.FunctionApp.Health;

/// <summary>Healthy when the Stripe events queue exists and answers (its approximate length is reported).</summary>
public sealed class QueueStorageHealthCheck(QueueServiceClient queues, IConfiguration configuration) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var queue = configuration["STRIPE_EVENTS_QUEUE"] ?? "stripe-events";
        var data = new Dictionary<string, object>();
        try
        {
            data[queue] = await queues.GetQueueClient(queue).GetApproximateMessageCountAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("Queues answer.", data);
        }
        catch (Exception exception) when (exception is QueueStorageException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"Queue storage is not ready: {exception.GetType().Name}", data: data);
        }
    }
}
