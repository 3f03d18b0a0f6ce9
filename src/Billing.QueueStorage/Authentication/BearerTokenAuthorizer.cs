using System.Net.Http.Headers;
using Azure.Core;

namespace Billing.QueueStorage.Authentication;

/// <summary>
/// Entra ID bearer tokens for Azure Storage. One token is cached and shared by all requests; it is renewed
/// <see cref="RefreshMargin"/> before it expires (or at the credential's suggested refresh time, if earlier).
/// Concurrent callers that find it stale share a single credential call.
/// </summary>
internal sealed class BearerTokenAuthorizer : IRequestAuthorizer
{
    public const string StorageScope = "https://storage.azure.com/.default";

    /// <summary>How long before expiry a cached token is renewed.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private static readonly TokenRequestContext StorageTokenRequest = new([StorageScope]);

    private readonly TokenCredential _credential;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private volatile CachedToken? _cached;
    private Task<CachedToken>? _renewal;

    public BearerTokenAuthorizer(TokenCredential credential, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _credential = credential;
        _timeProvider = timeProvider;
    }

    public async ValueTask AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var cached = _cached;
        if (cached is not null && !cached.IsDueForRenewal(_timeProvider.GetUtcNow()))
        {
            return cached.Value;
        }

        Task<CachedToken> renewal;
        lock (_gate)
        {
            cached = _cached;
            if (cached is not null && !cached.IsDueForRenewal(_timeProvider.GetUtcNow()))
            {
                return cached.Value;
            }

            if (_renewal is null || _renewal.IsCompleted)
            {
                // Run outside the lock: the credential may do slow or synchronous work.
                _renewal = Task.Run(RenewAsync);
            }

            renewal = _renewal;
        }

        // The shared renewal is not tied to one caller's token; a cancelled caller just stops waiting for it.
        var renewed = await renewal.WaitAsync(cancellationToken).ConfigureAwait(false);
        return renewed.Value;
    }

    private async Task<CachedToken> RenewAsync()
    {
        var token = await _credential.GetTokenAsync(StorageTokenRequest, CancellationToken.None).ConfigureAwait(false);
        var renewAt = token.ExpiresOn - RefreshMargin;
        if (token.RefreshOn is { } suggested && suggested < renewAt)
        {
            renewAt = suggested;
        }

        var cached = new CachedToken(token.Token, renewAt);
        _cached = cached;
        return cached;
    }

    private sealed class CachedToken(string value, DateTimeOffset renewAt)
    {
        public string Value { get; } = value;

        public bool IsDueForRenewal(DateTimeOffset now) => now >= renewAt;
    }
}
