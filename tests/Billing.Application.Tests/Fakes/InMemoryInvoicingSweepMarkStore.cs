using System.Globalization;
using Billing.Application.Invoicing;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// The invoicing sweep's mark in memory with the Cosmos contract: a new ETag on every write, a create refused when one
/// is stored, a replace refused when the ETag is stale (the 409/412 the Cosmos store turns into null). It outlives the
/// sweeps built around it, as the document outlives the processes. <see cref="BeforeWrite"/> runs before a write is
/// applied, so a test can make another run write first.
/// </summary>
internal sealed class InMemoryInvoicingSweepMarkStore(TimeProvider time) : IInvoicingSweepMarkStore
{
    private readonly Lock _gate = new();
    private StoredInvoicingSweepMark? _stored;
    private long _etags;

    public Func<Task>? BeforeWrite { get; set; }

    public StoredInvoicingSweepMark? Stored
    {
        get
        {
            lock (_gate)
            {
                return _stored;
            }
        }
    }

    public int Writes { get; private set; }

    public Task<StoredInvoicingSweepMark?> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Stored);

    public async Task<string?> TryWriteAsync(DateOnly readAgainFrom, string? etag, CancellationToken cancellationToken)
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
                return null;
            }

            Writes++;
            _stored = new StoredInvoicingSweepMark(readAgainFrom, time.GetUtcNow(), "etag-" + (++_etags).ToString(CultureInfo.InvariantCulture));
            return _stored.ETag;
        }
    }
}
