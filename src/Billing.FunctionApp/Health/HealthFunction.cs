using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Billing.FunctionApp.Health;

/// <summary>
/// <c>GET /api/health</c> (anonymous): every dependency the functions need (settings, queues, Cosmos DB, Stripe), each
/// checked with a short timeout; 200 when all are healthy, 503 naming the ones that are not.
/// </summary>
public sealed class HealthFunction(HealthCheckService health)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    [AllowAnonymous]
    [Function("Health")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        var report = await health.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        var body = new HealthResponse(
            Name(report.Status),
            Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            report.Entries.ToDictionary(e => e.Key, e => new DependencyResponse(
                Name(e.Value.Status),
                e.Value.Description,
                Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                e.Value.Data.Count == 0 ? null : e.Value.Data.ToDictionary(d => d.Key, d => d.Value))));
        return Results.Json(body, Json, statusCode: report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    private static string Name(HealthStatus status) => status.ToString().ToLowerInvariant();

    public sealed record HealthResponse(string Status, double DurationMs, IReadOnlyDictionary<string, DependencyResponse> Checks);

    public sealed record DependencyResponse(string Status, string? Description, double DurationMs, IReadOnlyDictionary<string, object>? Data);
}
