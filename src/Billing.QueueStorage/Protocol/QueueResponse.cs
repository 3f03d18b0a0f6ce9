using System.Net;
using System.Net.Http.Headers;

namespace Billing.QueueStorage.Protocol;

/// <summary>A successful (2xx) response, fully read.</summary>
internal sealed record QueueResponse(HttpStatusCode Status, HttpResponseHeaders Headers, string Body)
{
    public string RequiredHeader(string name) =>
        Headers.TryGetValues(name, out var values) && values.FirstOrDefault() is { Length: > 0 } value
            ? value
            : throw new QueueStorageException($"The queue service response lacks the {name} header.", Status, errorCode: null, RequestId);

    public string? RequestId => Headers.TryGetValues(QueueStorageProtocol.RequestIdHeader, out var values) ? values.FirstOrDefault() : null;
}
