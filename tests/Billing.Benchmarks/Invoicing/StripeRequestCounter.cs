using System.Collections.Concurrent;
using System.Globalization;
using Billing.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Billing.Benchmarks.Invoicing;

/// <summary>
/// A loopback reverse proxy in front of the Stripe emulator, in this process: the app's Stripe base points here, every
/// request is stamped on arrival (what Stripe would see) and forwarded unchanged to the emulator, its answer copied
/// back. The Stripe request rate is counted from these stamps, on the Stripe side of the app's request budget.
/// </summary>
internal sealed class StripeRequestCounter : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "Host", "Transfer-Encoding", "Connection", "Keep-Alive", "Content-Length" };

    private readonly WebApplication _app;
    private readonly HttpClient _emulator;
    private readonly ConcurrentQueue<(DateTimeOffset At, string Method, string Path)> _requests = new();

    private StripeRequestCounter(WebApplication app, HttpClient emulator, Uri baseAddress)
    {
        _app = app;
        _emulator = emulator;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The /v1 requests forwarded so far, with their arrival time.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Method, string Path)> Requests => [.. _requests];

    public static async Task<StripeRequestCounter> StartAsync(Uri emulator)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var app = builder.Build();
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = emulator, Timeout = TimeSpan.FromSeconds(60) };
        var counter = new StripeRequestCounter(app, client, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/")));
        app.Run(counter.ForwardAsync);
        await app.StartAsync();
        return counter;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _emulator.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            _requests.Enqueue((DateTimeOffset.UtcNow, context.Request.Method, path));
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), path + context.Request.QueryString.Value);
        if (context.Request.ContentLength is > 0 || context.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            body.Position = 0;
            request.Content = new StreamContent(body);
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (!HopByHop.Contains(name) && !request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values);
            }
        }

        using var response = await _emulator.SendAsync(request, HttpCompletionOption.ResponseContentRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
