using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace Billing.FunctionsHost.Http;

/// <summary>
/// Forwards a request to the worker's own HTTP server (HttpUri), streaming both bodies: same method, path and query,
/// headers minus hop-by-hop ones, plus <c>x-ms-invocation-id</c> and X-Forwarded-For/Proto/Host.
/// </summary>
internal sealed class HttpForwarder : IDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    private const int ConnectAttempts = 10;
    private readonly HttpMessageInvoker client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ActivityHeadersPropagator = null,
    });

    public async Task<HttpResponseMessage> SendAsync(HttpContext context, Uri workerUri, string invocationId, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            using var request = CreateRequest(context, workerUri, invocationId);
            try
            {
                return await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (attempt < ConnectAttempts && e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
            }
        }
    }

    public static async Task CopyResponseAsync(HttpResponseMessage response, HttpContext context, CancellationToken cancellationToken)
    {
        var target = context.Response;
        target.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(header.Key))
            {
                target.Headers[header.Key] = header.Value.ToArray();
            }
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await body.CopyToAsync(target.Body, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => client.Dispose();

    /// <summary>
    /// The worker URL as the real host's forwarder builds it (YARP's default transformer via
    /// <c>IHttpForwarder.SendAsync</c>): the prefix, the decoded path escaped again so the worker decodes exactly the
    /// path this host decoded (a <c>%</c> becomes <c>%25</c>, which <c>PathString.ToUriComponent</c> leaves as is before
    /// two hex digits), and the query as received.
    /// </summary>
    internal static Uri WorkerAddress(Uri workerUri, HttpRequest source) =>
        RequestUtilities.MakeDestinationAddress(workerUri.ToString(), source.Path, source.QueryString);

    private static HttpRequestMessage CreateRequest(HttpContext context, Uri workerUri, string invocationId)
    {
        var source = context.Request;
        var target = new HttpRequestMessage(new HttpMethod(source.Method), WorkerAddress(workerUri, source))
        {
            Version = System.Net.HttpVersion.Version11,
        };
        var hasBody = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? source.ContentLength > 0;
        if (hasBody)
        {
            target.Content = new StreamContent(source.Body);
        }

        foreach (var header in source.Headers)
        {
            if (HopByHop.Contains(header.Key))
            {
                continue;
            }

            if (!target.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value) && target.Content is not null)
            {
                target.Content.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        target.Headers.TryAddWithoutValidation("x-ms-invocation-id", invocationId);
        target.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        target.Headers.TryAddWithoutValidation("X-Forwarded-Proto", source.Scheme);
        target.Headers.TryAddWithoutValidation("X-Forwarded-Host", source.Host.Value);
        return target;
    }
}
