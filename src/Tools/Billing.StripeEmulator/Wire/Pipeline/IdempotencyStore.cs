using System.Collections.Concurrent;

namespace Billing.StripeEmulator.Wire.Pipeline;

/// <summary>
/// Saved responses per (secret key, idempotency key), kept 24 hours of real time as Stripe keeps them. Expired keys
/// and keys left without a saved response are swept at most every <see cref="SweepInterval"/>, so a long-running
/// emulator does not keep every POST's response forever.
/// </summary>
internal sealed class IdempotencyStore
{
    public const long RetentionSeconds = 24 * 3600;

    public static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _time;
    private ConcurrentDictionary<string, IdempotencyEntry> _entries = new(StringComparer.Ordinal);
    private long _nextSweepAt;

    public IdempotencyStore(TimeProvider time)
    {
        _time = time;
        _nextSweepAt = time.GetUtcNow().Add(SweepInterval).ToUnixTimeMilliseconds();
    }

    public int Count => _entries.Count;

    /// <summary>The key's entry with its gate held (the caller releases it): requests with one key run one at a time.</summary>
    public async Task<IdempotencyEntry> AcquireAsync(string apiKey, string idempotencyKey, CancellationToken cancellationToken)
    {
        SweepIfDue();
        var id = $"{apiKey}\n{idempotencyKey}";
        while (true)
        {
            var entry = _entries.GetOrAdd(id, _ => new IdempotencyEntry());
            await entry.Gate.WaitAsync(cancellationToken);
            if (!entry.Removed)
            {
                return entry;
            }

            // Swept while this request waited: the key's live entry (if any) is the one in the dictionary now.
            entry.Gate.Release();
        }
    }

    /// <summary>Forgets every key (used by `POST /_emulator/reset`).</summary>
    public void Clear() => Interlocked.Exchange(ref _entries, new ConcurrentDictionary<string, IdempotencyEntry>(StringComparer.Ordinal));

    private void SweepIfDue()
    {
        var now = _time.GetUtcNow();
        var due = Interlocked.Read(ref _nextSweepAt);
        if (now.ToUnixTimeMilliseconds() < due
            || Interlocked.CompareExchange(ref _nextSweepAt, now.Add(SweepInterval).ToUnixTimeMilliseconds(), due) != due)
        {
            return;
        }

        var nowUnix = now.ToUnixTimeSeconds();
        var entries = _entries;
        foreach (var (id, entry) in entries)
        {
            // Only an entry no request holds; a request waiting on its gate sees Removed and fetches the key again.
            if (!entry.Gate.Wait(0))
            {
                continue;
            }

            try
            {
                if (entry.Saved is not { } saved || !saved.IsReplayableAt(nowUnix))
                {
                    entry.Removed = true;
                    entries.TryRemove(KeyValuePair.Create(id, entry));
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }
}
