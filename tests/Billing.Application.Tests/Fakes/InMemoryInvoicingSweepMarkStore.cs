using Billing.Application.Invoicing;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// The invoicing sweep's mark in memory with the store's contract: moved forward, never back. It outlives the sweeps
/// built around it, as the document outlives the processes. <see cref="BeforeWrite"/> runs before a move is applied,
/// so a test can make another run write first.
/// </summary>
internal sealed class InMemoryInvoicingSweepMarkStore(TimeProvider time) : IInvoicingSweepMarkStore
{
    private readonly Lock _gate = new();
    private StoredInvoicingSweepMark? _stored;

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

    public Task<StoredInvoicingSweepMark?> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Stored);

    public async Task MoveForwardAsync(DateOnly readAgainFrom, CancellationToken cancellationToken)
    {
        if (BeforeWrite is { } before)
        {
            BeforeWrite = null;
            await before();
        }

        lock (_gate)
        {
            if (_stored is null || _stored.ReadAgainFrom < readAgainFrom)
            {
                _stored = new StoredInvoicingSweepMark(readAgainFrom, time.GetUtcNow());
            }
        }
    }
}
