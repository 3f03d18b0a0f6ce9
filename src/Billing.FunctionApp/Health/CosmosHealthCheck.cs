using Billing.Cosmos.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Billing.FunctionApp.Health;

/// <summary>Healthy when the Cosmos DB database answers a read.</summary>
public sealed class CosmosHealthCheck(CosmosHealthProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = await probe.CheckAsync(cancellationToken).ConfigureAwait(false);
        return result.IsHealthy ? HealthCheckResult.Healthy(result.Reason) : HealthCheckResult.Unhealthy(result.Reason);
    }
}
