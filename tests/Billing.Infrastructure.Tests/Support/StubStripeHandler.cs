using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Billing.Infrastructure.Tests.Support;

/// <summary>Answers Stripe.net's requests from a script (status + JSON, or a thrown exception) and records them.</summary>
internal sealed class StubStripeHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _script = new();

    public List<RecordedRequest> Requests { get; } = [];

    public void Respond(HttpStatusCode status, string json, string requestId = "req_test", IReadOnlyDictionary<string, string>? headers = null) =>
        _script.Enqueue(() =>
        {
            var response = new HttpResponseMessage(status)
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
                Headers = { { "Request-Id", requestId } },
            };
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                response.Headers.Add(name, value);
            }

            return response;
        });

    public void Fail(Exception exception) => _script.Enqueue(() => throw exception);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested(); // as a real transport does
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add(new RecordedRequest(
                request.Method.Method,
                request.RequestUri!.AbsolutePath,
                request.RequestUri.Query,
                request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null,
                request.Headers.Authorization?.ToString(),
                ParseForm(body)));
        }

        return _script.TryDequeue(out var next)
            ? next()
            : throw new InvalidOperationException($"No scripted answer for {request.Method} {request.RequestUri}.");
    }

    private static Dictionary<string, string> ParseForm(string body) =>
        body.Length == 0
            ? []
            : body.Split('&').Select(pair => pair.Split('=', 2)).ToDictionary(
                pair => Unescape(pair[0]),
                pair => pair.Length > 1 ? Unescape(pair[1]) : "",
                StringComparer.Ordinal);

    private static string Unescape(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}

internal sealed record RecordedRequest(string Method, string Path, string Query, string? IdempotencyKey, string? Authorization, Dictionary<string, string> Form);
