using System.Collections.Concurrent;

namespace Billing.StripeEmulator.Wire.Pipeline;

/// <summary>Saved responses per (secret key, idempotency key), kept 24 hours of real time as Stripe keeps them.</summary>
internal sealed class IdempotencyStore
{
    public const long RetentionSeconds = 24 * 3600;

    private ConcurrentDictionary<string, IdempotencyEntry> _entries = new(StringComparer.Ordinal);

    public IdempotencyEntry EntryFor(string apiKey, string idempotencyKey) =>
        _entries.GetOrAdd($"{apiKey}\n{idempotencyKey}", _ => new IdempotencyEntry());

    /// <summary>Forgets every key (used by `POST /_emulator/reset`).</summary>
    public void Clear() => Interlocked.Exchange(ref _entries, new ConcurrentDictionary<string, IdempotencyEntry>(StringComparer.Ordinal));
}
