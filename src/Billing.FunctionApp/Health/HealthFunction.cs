using Billing.Infrastructure.Health;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Health;

/// <summary>
/// <c>GET /api/health</c> (anonymous): every dependency the functions need (queues, Cosmos DB, Stripe), each checked
/// in parallel with a short timeout; 200 when all answer, 503 naming the ones that do not. Settings are validated at
/// start-up, so a running app has valid ones.
/// </summary>
public sealed class HealthFunction(DependencyHealth health, TimeProvider time)
{
    [AllowAnonymous]
    [Function("Health")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetTimestamp();
        var report = await health.CheckAsync(cancellationToken).ConfigureAwait(false);
        var body = new HealthResponse(
            Status(report.IsHealthy),
            Milliseconds(time.GetElapsedTime(started)),
            report.Dependencies.ToDictionary(d => d.Name, d => new DependencyResponse(Status(d.IsHealthy), d.Detail, Milliseconds(d.Duration)), StringComparer.Ordinal));
        return Results.Json(body, statusCode: report.IsHealthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static string Status(bool healthy) => healthy ? "healthy" : "unhealthy";

    private static double Milliseconds(TimeSpan duration) => Math.Round(duration.TotalMilliseconds, 1);

    public sealed record HealthResponse(string Status, double DurationMs, IReadOnlyDictionary<string, DependencyResponse> Checks);

    public sealed record DependencyResponse(string Status, string Description, double DurationMs);
}
