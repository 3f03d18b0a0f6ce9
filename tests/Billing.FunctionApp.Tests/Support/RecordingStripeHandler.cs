using System.Net;
using System.Text;

namespace Billing.FunctionApp.Tests.Support;

/// <summary>Answers Stripe requests from a script (one answer per HTTP attempt) and records each request's method, path, form and idempotency key.</summary>
internal sealed class RecordingStripeHandler : HttpMessageHandler
{
    private readonly Queue<(HttpStatusCode Status, string Body)> _script = new();

    public List<RecordedStripeRequest> Requests { get; } = [];

    public RecordingStripeHandler Respond(HttpStatusCode status, string body)
    {
        _script.Enqueue((status, body));
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var form = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add(new RecordedStripeRequest(
            request.Method.Method,
            request.RequestUri!.AbsolutePath,
            ParseForm(form),
            request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null));
        if (!_script.TryDequeue(out var answer))
        {
            throw new InvalidOperationException($"No scripted answer for {request.Method} {request.RequestUri}");
        }

        return new HttpResponseMessage(answer.Status) { Content = new StringContent(answer.Body, Encoding.UTF8, "application/json") };
    }

    private static Dictionary<string, string> ParseForm(string form) =>
        form.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p.Length > 1 ? p[1].Replace('+', ' ') : ""), StringComparer.Ordinal);
}

internal sealed record RecordedStripeRequest(string Method, string Path, IReadOnlyDictionary<string, string> Form, string? IdempotencyKey);
