using Billing.Cosmos.Health;

namespace Billing.Infrastructure.Health;

/// <summary>Billing.Cosmos's probe: the billing database answers a metadata read.</summary>
internal sealed class CosmosHealthCheck(CosmosHealthProbe probe) : IDependencyCheck
{
    public string Name => "cosmos";

    public async Task<(bool IsHealthy, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        var result = await probe.CheckAsync(cancellationToken).ConfigureAwait(false);
        return (result.IsHealthy, result.Reason ?? "The billing database answers.");
    }
}
