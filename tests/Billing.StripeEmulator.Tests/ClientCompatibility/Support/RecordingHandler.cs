using System.Collections.Concurrent;
using System.Net;

namespace Billing.StripeEmulator.Tests.ClientCompatibility.Support;

/// <summary>Passes requests on to the network and remembers each one (method, path, idempotency key, status).</summary>
public sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<RecordedExchange> exchanges = new();

    public IReadOnlyList<RecordedExchange> Exchanges => [.. exchanges];

    public void Clear() => exchanges.Clear();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        exchanges.Enqueue(new RecordedExchange(
            request.Method,
            request.RequestUri!.AbsolutePath,
            request.RequestUri.Query,
            request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null,
            request.Headers.TryGetValues("Stripe-Version", out var versions) ? versions.Single() : null,
            response.StatusCode));
        return response;
    }
}

public sealed record RecordedExchange(HttpMethod Method, string Path, string Query, string? IdempotencyKey, string? StripeVersion, HttpStatusCode Status);
