namespace Billing.Infrastructure.Health;

/// <summary>A cheap probe of one dependency. Expected failures are results; <see cref="DependencyHealth"/> bounds the time.</summary>
internal interface IDependencyCheck
{
    string Name { get; }

    /// <returns>Whether the dependency answered as expected, and a short detail without secrets.</returns>
    Task<(bool IsHealthy, string Detail)> CheckAsync(CancellationToken cancellationToken);
}
