namespace Billing.QueueStorage.Protocol;

/// <summary>
/// One logical REST call, rebuilt into a fresh HttpRequestMessage for every attempt.
/// <paramref name="Path"/> is relative to the queue service URI and already escaped.
/// </summary>
internal sealed record QueueRequest(string Operation, HttpMethod Method, string Path)
{
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>XML body, or null for none.</summary>
    public string? XmlBody { get; init; }
}
