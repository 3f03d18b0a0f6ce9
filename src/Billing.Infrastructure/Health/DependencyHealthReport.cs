namespace Billing.Infrastructure.Health;

/// <summary>Every dependency's state; healthy when all are.</summary>
public sealed record DependencyHealthReport(IReadOnlyList<DependencyStatus> Dependencies)
{
    public bool IsHealthy => Dependencies.All(d => d.IsHealthy);
}
