using Azure.Core;

namespace Billing.QueueStorage.Tests.Support;

/// <summary>Issues "token-1", "token-2", ... each valid for <see cref="Lifetime"/> from the fake clock's now.</summary>
internal sealed class FakeTokenCredential(TimeProvider clock) : TokenCredential
{
    private int _issued;

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Suggested refresh time relative to issue, as a managed identity endpoint may send.</summary>
    public TimeSpan? RefreshAfter { get; init; }

    /// <summary>When set, each call waits for it (to hold callers in a renewal).</summary>
    public TaskCompletionSource? Gate { get; init; }

    public int Calls => Volatile.Read(ref _issued);

    public List<string[]> RequestedScopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (RequestedScopes)
        {
            RequestedScopes.Add(requestContext.Scopes);
        }

        if (Gate is not null)
        {
            await Gate.Task;
        }

        var number = Interlocked.Increment(ref _issued);
        var now = clock.GetUtcNow();
        return new AccessToken($"token-{number}", now + Lifetime, RefreshAfter is { } after ? now + after : null);
    }
}
