using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Billing.QueueStorage.Tests.Support;

/// <summary>Answers requests from a script (one step per request, the last repeats) and records each request.</summary>
internal sealed class StubHttpHandler : HttpMessageHandler
{
    private readonly Func<int, CancellationToken, Task<HttpResponseMessage>> _respond;
    private int _count;

    public StubHttpHandler(Func<int, CancellationToken, Task<HttpResponseMessage>> respond) => _respond = respond;

    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    public int Count => Volatile.Read(ref _count);

    public static StubHttpHandler Statuses(params HttpStatusCode[] statuses) =>
        new((index, _) => Task.FromResult(Response(statuses[Math.Min(index, statuses.Length - 1)])));

    public static StubHttpHandler NeverCalled() =>
        new((_, _) => throw new InvalidOperationException("No request should have been sent."));

    public static HttpResponseMessage Response(HttpStatusCode status, string? xml = null, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status);
        if (xml is not null)
        {
            response.Content = new StringContent(xml, Encoding.UTF8, "application/xml");
        }

        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public HttpClient CreateClient() => new(this, disposeHandler: false);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue(new CapturedRequest(request.Method, request.RequestUri!, request.Headers, body, request.Content?.Headers.ContentType?.ToString()));
        var index = Interlocked.Increment(ref _count) - 1;
        return await _respond(index, cancellationToken);
    }
}
