namespace Billing.QueueStorage.Protocol;

/// <summary>The HttpClient used when the caller supplies none: one per process, with DNS-friendly pooled connections.</summary>
internal static class SharedHttpClient
{
    /// <summary>Limit for one attempt; a timed-out attempt counts as a transient failure.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    private static readonly Lazy<HttpClient> Shared = new(Create);

    public static HttpClient Instance => Shared.Value;

    private static HttpClient Create() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = PooledConnectionLifetime }, disposeHandler: true)
        {
            Timeout = AttemptTimeout,
        };
}
