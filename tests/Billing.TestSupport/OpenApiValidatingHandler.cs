namespace Billing.TestSupport;

/// <summary>
/// Checks every answer of the function app against the OpenAPI document (<see cref="OpenApiContract"/>) as it passes,
/// so every end-to-end test validates every response body it receives. The host's own endpoints
/// (<c>/admin/...</c>), CORS preflights and the host's 404/405 for paths no function serves are not part of the API.
/// </summary>
public sealed class OpenApiValidatingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var path = request.RequestUri!.AbsolutePath;
        if (request.Method == HttpMethod.Options || !path.StartsWith("/api/", StringComparison.Ordinal))
        {
            return response;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var problems = OpenApiContract.Check(request.Method.Method, path, response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
        if (problems.Count > 0 && !(problems.Count == 1 && problems[0].EndsWith("is not in the OpenAPI document", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException(
                $"{request.Method} {path} answered {(int)response.StatusCode} outside the OpenAPI document:\n{string.Join("\n", problems)}\n{body}");
        }

        return response;
    }
}
