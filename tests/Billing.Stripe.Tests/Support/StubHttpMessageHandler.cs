using System.Net;
using System.Text;

namespace Billing.Stripe.Tests.Support;

/// <summary>Replays a script of answers (one per attempt) and records every request.</summary>
internal sealed class StubHttpMessageHandler : HttpMessageHandler
{
    private readonly Queue<Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>>> script = new();

    public List<RecordedRequest> Requests { get; } = [];

    /// <summary>Used when the script is empty; by default an empty script fails the test.</summary>
    public Func<RecordedRequest, HttpResponseMessage>? Fallback { get; set; }

    public StubHttpMessageHandler Respond(HttpStatusCode status, string body, params (string Name, string Value)[] headers)
    {
        script.Enqueue((_, _) => Task.FromResult(Response(status, body, headers)));
        return this;
    }

    public StubHttpMessageHandler Throw(Exception exception)
    {
        script.Enqueue((_, _) => Task.FromException<HttpResponseMessage>(exception));
        return this;
    }

    /// <summary>Never answers: waits until the request's token is cancelled (a timeout or the caller).</summary>
    public StubHttpMessageHandler Hang(TaskCompletionSource? started = null)
    {
        script.Enqueue(async (_, token) =>
        {
            started?.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        return this;
    }

    public static HttpResponseMessage Response(HttpStatusCode status, string body, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(request.Method, request.RequestUri!, headers, body, request.Content?.Headers.ContentType?.MediaType);
        Requests.Add(recorded);
        if (script.TryDequeue(out var next))
        {
            return await next(recorded, cancellationToken);
        }

        return Fallback?.Invoke(recorded) ?? throw new InvalidOperationException($"No scripted answer for attempt {Requests.Count} ({request.Method} {request.RequestUri}).");
    }
}
