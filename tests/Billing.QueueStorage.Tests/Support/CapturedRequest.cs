using System.Net.Http.Headers;

namespace Billing.QueueStorage.Tests.Support;

/// <summary>What a request looked like when it reached the (stubbed) network.</summary>
internal sealed record CapturedRequest(HttpMethod Method, Uri Uri, HttpRequestHeaders Headers, string? Body, string? ContentType)
{
    public string Header(string name) => Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    public string? Authorization => Headers.Authorization?.ToString();
}
