using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Billing.Benchmarks.BareApp;

/// <summary>
/// <c>bare-app --port P [--plans-file F]</c>: the baseline of coldstart and forwarding, a minimal ASP.NET Core app
/// started as its own process (<c>dotnet Billing.Benchmarks.dll bare-app ...</c>) on 127.0.0.1. GET /api/health
/// answers 200; GET /api/billing/plans answers the JSON of F (the real app's answer, captured by forwarding) or [].
/// Logging is off; it runs until killed.
/// </summary>
internal static class BareAppCommand
{
    public static async Task<int> RunAsync(string[] arguments)
    {
        var port = 0;
        string? plansFile = null;
        for (var i = 0; i + 1 < arguments.Length; i += 2)
        {
            switch (arguments[i])
            {
                case "--port":
                    port = int.Parse(arguments[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--plans-file":
                    plansFile = arguments[i + 1];
                    break;
                default:
                    await Console.Error.WriteLineAsync("bare-app: unknown option " + arguments[i]);
                    return 2;
            }
        }

        if (port is < 1 or > 65535)
        {
            await Console.Error.WriteLineAsync("bare-app: --port P is required");
            return 2;
        }

        var plans = plansFile is null ? "[]"u8.ToArray() : await File.ReadAllBytesAsync(plansFile);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var app = builder.Build();
        app.MapGet("/api/health", () => Results.Text("{\"status\":\"healthy\"}", "application/json"));
        app.MapGet("/api/billing/plans", () => Results.Bytes(plans, "application/json; charset=utf-8"));
        await app.RunAsync();
        return 0;
    }
}
