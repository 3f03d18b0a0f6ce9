namespace Billing.Cosmos.Health;

/// <summary>Whether Cosmos DB answered, and if not, why.</summary>
public sealed record CosmosHealthResult(bool IsHealthy, string? Reason)
{
    public static CosmosHealthResult Healthy { get; } = new(true, null);

    public static CosmosHealthResult Unhealthy(string reason) => new(false, reason);
}
