namespace Billing.StripeEmulator.Wire.Pipeline;

/// <summary>One idempotency key's slot: a gate serialising requests with the key, and the saved first response.</summary>
internal sealed class IdempotencyEntry : IDisposable
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public SavedResponse? Saved { get; set; }

    /// <summary>Set (under the gate) when the store swept the entry: a request that then gets the gate must fetch the key again.</summary>
    public bool Removed { get; set; }

    public void Dispose() => Gate.Dispose();
}

/// <summary>The first response given for a key, with what it was given for.</summary>
internal sealed record SavedResponse(string Endpoint, string Fingerprint, int StatusCode, string ContentType, byte[] Body, string RequestId, long SavedAtUnix)
{
    /// <summary>Stripe replays a key's response for <see cref="IdempotencyStore.RetentionSeconds"/>, then forgets the key.</summary>
    public bool IsReplayableAt(long nowUnix) => nowUnix - SavedAtUnix < IdempotencyStore.RetentionSeconds;
}
