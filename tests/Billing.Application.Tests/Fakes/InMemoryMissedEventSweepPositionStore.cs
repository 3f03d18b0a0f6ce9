using System.Globalization;
using Billing.Application.Accounts;
using Billing.Application.Subscriptions;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// The sweep's position in memory with the Cosmos contract: a new ETag on every write, a create refused when one is
/// stored, a replace refused when the ETag is stale (the 409/412 the Cosmos store turns into null). It outlives the
/// sweeps built around it, as the document outlives the processes. <see cref="BeforeWrite"/> runs before a write is
/// applied, so a test can make another run write first.
/// </summary>
internal sealed class InMemoryMissedEventSweepPositionStore(TimeProvider time) : IMissedEventSweepPositionStore
{
    private readonly Lock _gate = new();
    private StoredSweepPosition? _stored;
    private long _etags;

    public Func<Task>? BeforeWrite { get; set; }

    public StoredSweepPosition? Stored
    {
        get
        {
            lock (_gate)
            {
                return _stored;
            }
        }
    }

    public int Conflicts { get; private set; }

    public Task<StoredSweepPosition?> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Stored);

    public async Task<string?> TryWriteAsync(RenewalOverdue? after, string? etag, CancellationToken cancellationToken)
    {
        if (BeforeWrite is { } before)
        {
            BeforeWrite = null;
            await before();
        }

        lock (_gate)
        {
            if (etag is null ? _stored is not null : _stored?.ETag != etag)
            {
                Conflicts++;
                return null;
            }

            _stored = new StoredSweepPosition(after, time.GetUtcNow(), "etag-" + (++_etags).ToString(CultureInfo.InvariantCulture));
            return _stored.ETag;
        }
    }
}
