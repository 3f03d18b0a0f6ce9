namespace Billing.Infrastructure.Health;

/// <summary>Every dependency's state; healthy when all are.</summary>
public sealed record DependencyHealthReport(IReadOnlyList<DependencyStatus> Dependencies)
{
    public bool IsHealthy => Dependencies.All(d => d.IsHealthy);
}

/// <summary>One dependency's state: its name (<c>queues</c>, <c>cosmos</c>, <c>stripe</c>), whether it answered, and a
/// short detail without secrets.</summary>
public sealed record DependencyStatus(string Name, bool IsHealthy, string Detail, TimeSpan Duration);
