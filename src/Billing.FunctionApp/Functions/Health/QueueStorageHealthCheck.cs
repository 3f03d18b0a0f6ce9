using Billing.FunctionApp.Hosting.FunctionMetadata;
using Billing.QueueStorage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Billing.FunctionApp.Functions.Health;

/// <summary>Healthy when every trigger queue exists and answers (its approximate length is reported).</summary>
public sealed class QueueStorageHealthCheck(QueueServiceClient queues, FunctionCatalog catalog) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        try
        {
            foreach (var function in catalog.OfKind(FunctionTriggerKind.Queue))
            {
                data[function.QueueName!] = await queues.GetQueueClient(function.QueueName!).GetApproximateMessageCountAsync(cancellationToken).ConfigureAwait(false);
            }

            return HealthCheckResult.Healthy("Queues answer.", data);
        }
        catch (Exception exception) when (exception is QueueStorageException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"Queue storage is not ready: {exception.Message}", data: data);
        }
    }
}
