namespace Billing.Infrastructure.Health;

/// <summary>One dependency's state: its name (<c>queues</c>, <c>cosmos</c>, <c>stripe</c>), whether it answered, and a
/// short detail without secrets.</summary>
public sealed record DependencyStatus(string Name, bool IsHealthy, string Detail, TimeSpan Duration);
