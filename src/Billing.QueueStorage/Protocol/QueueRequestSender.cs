using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Billing.QueueStorage.Authentication;

namespace Billing.QueueStorage.Protocol;

/// <summary>
/// Sends one logical request: builds it per attempt (fresh x-ms-date and signature, same client request id),
/// retries transient failures with exponential backoff, and turns a final non-2xx answer into a
/// <see cref="QueueStorageException"/>. The caller's cancellation is never retried.
/// </summary>
internal sealed class QueueRequestSender
{
    private const int MaxServiceMessageLength = 300;

    private readonly HttpClient _httpClient;
    private readonly IRequestAuthorizer _authorizer;
    private readonly TimeProvider _timeProvider;
    private readonly string _serviceBase;

    public QueueRequestSender(Uri queueServiceUri, IRequestAuthorizer authorizer, HttpClient httpClient, TimeProvider timeProvider)
    {
        _serviceBase = queueServiceUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        _authorizer = authorizer;
        _httpClient = httpClient;
        _timeProvider = timeProvider;
    }

    public async Task<QueueResponse> SendAsync(QueueRequest request, CancellationToken cancellationToken)
    {
        var clientRequestId = Guid.NewGuid().ToString();
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var message = CreateMessage(request, clientRequestId);
            await _authorizer.AuthorizeAsync(message, cancellationToken).ConfigureAwait(false);
            var mayRetry = attempt < TransientFailurePolicy.MaxAttempts;
            try
            {
                using var response = await _httpClient.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return new QueueResponse(response.StatusCode, response.Headers, body);
                }

                if (!mayRetry || !TransientFailurePolicy.IsTransient(response.StatusCode))
                {
                    throw Failure(request.Operation, response, body);
                }
            }
            catch (HttpRequestException) when (mayRetry && !cancellationToken.IsCancellationRequested)
            {
                // Network failure: try again.
            }
            catch (OperationCanceledException) when (mayRetry && !cancellationToken.IsCancellationRequested)
            {
                // The HttpClient's own timeout, not the caller's cancellation: try again.
            }

            await Task.Delay(TransientFailurePolicy.BackoffAfter(attempt), _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private HttpRequestMessage CreateMessage(QueueRequest request, string clientRequestId)
    {
        var uri = new StringBuilder(_serviceBase).Append('/').Append(request.Path);
        for (var index = 0; index < request.Query.Count; index++)
        {
            var (name, value) = request.Query[index];
            uri.Append(index == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        var message = new HttpRequestMessage(request.Method, new Uri(uri.ToString()));
        message.Headers.TryAddWithoutValidation(QueueStorageProtocol.VersionHeader, QueueStorageProtocol.ApiVersion);
        message.Headers.TryAddWithoutValidation(QueueStorageProtocol.DateHeader, _timeProvider.GetUtcNow().ToString("r", CultureInfo.InvariantCulture));
        message.Headers.TryAddWithoutValidation(QueueStorageProtocol.ClientRequestIdHeader, clientRequestId);
        if (request.XmlBody is not null)
        {
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.XmlBody));
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/xml") { CharSet = "utf-8" };
        }
        else if (request.Method == HttpMethod.Put || request.Method == HttpMethod.Post)
        {
            message.Content = new ByteArrayContent([]);
        }

        return message;
    }

    private static QueueStorageException Failure(string operation, HttpResponseMessage response, string body)
    {
        var (xmlCode, xmlMessage) = QueueXml.ParseError(body);
        var errorCode = Header(response, QueueStorageProtocol.ErrorCodeHeader) ?? xmlCode;
        var requestId = Header(response, QueueStorageProtocol.RequestIdHeader);
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{operation} failed: HTTP {(int)response.StatusCode} ({response.StatusCode})");
        if (errorCode is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $", error code {errorCode}");
        }

        // Only the first line of the service's Message: later lines repeat ids; other elements such as
        // AuthenticationErrorDetail can quote the request signature, so they are never included.
        if (FirstLine(xmlMessage) is { } serviceMessage)
        {
            text.Append(CultureInfo.InvariantCulture, $": {serviceMessage}");
        }

        if (requestId is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" (request id {requestId})");
        }

        return new QueueStorageException(text.ToString(), response.StatusCode, errorCode, requestId);
    }

    private static string? FirstLine(string? message)
    {
        var line = message?.Split('\n', 2)[0].Trim();
        return string.IsNullOrEmpty(line) ? null : line.Length <= MaxServiceMessageLength ? line : line[..MaxServiceMessageLength];
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
