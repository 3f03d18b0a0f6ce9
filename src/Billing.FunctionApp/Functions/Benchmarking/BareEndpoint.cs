using Billing.FunctionApp.Hosting.CustomHandler;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.FunctionApp.Functions.Benchmarking;

/// <summary>
/// Benchmark-only: <c>POST /api/benchmark/bare</c> reads the request body and answers 200, nothing else, so the webhook
/// ingest benchmark (tests/Billing.Benchmarks) can compare the ingest with the same server's bare round trip.
/// Mapped only when the setting <c>Benchmarks:BareEndpoint</c> is true (default false) and no Functions host drives the
/// server; it is not a declared function (no function.json), so the host would never route to it anyway.
/// </summary>
public static class BareEndpoint
{
    public const string EnabledSetting = "Benchmarks:BareEndpoint";
    public const string Path = "/api/benchmark/bare";

    public static WebApplication MapBenchmarkEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Configuration.GetValue<bool>(EnabledSetting) && CustomHandlerEnvironment.HostPort(app.Configuration) is null)
        {
            app.MapPost(Path, ReadBodyAsync).ExcludeFromDescription();
        }

        return app;
    }

    /// <summary>Consumes the whole body without copying or parsing it.</summary>
    private static async Task<Ok> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted || read.IsCanceled)
            {
                return TypedResults.Ok();
            }
        }
    }
}
