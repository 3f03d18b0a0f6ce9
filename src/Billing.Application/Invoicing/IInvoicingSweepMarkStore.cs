namespace Billing.Application.Invoicing;

/// <summary>
/// How far the <c>MonthlyInvoicing</c> timer's sweep has read for certain, kept outside the process (every run may
/// start in a fresh process on any instance, and the host's own record of the timer counts a failed run as run): one
/// small record, read at the start of a run and written only by a run that read every closing day of its range and
/// queued every job, with optimistic concurrency.
/// </summary>
public interface IInvoicingSweepMarkStore
{
    /// <summary>The stored mark, or null when no run has succeeded yet (a new deployment: the next run reads its window only).</summary>
    Task<StoredInvoicingSweepMark?> GetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates the mark (<paramref name="etag"/> null) or replaces it if it still has <paramref name="etag"/>, stamped
    /// with the current time. Returns the new token, or null when another run wrote it first (nothing written).
    /// </summary>
    Task<string?> TryWriteAsync(DateOnly readAgainFrom, string? etag, CancellationToken cancellationToken);
}

/// <summary>
/// The sweep's mark as stored: every closing day before <see cref="ReadAgainFrom"/> (UTC) was read by a successful run
/// after its periods had settled, and their jobs queued; the next run reads again from that day (its periods settled
/// later in the day were not queued yet). <see cref="WrittenAt"/>: when a run wrote it.
/// </summary>
public sealed record StoredInvoicingSweepMark(DateOnly ReadAgainFrom, DateTimeOffset WrittenAt, string ETag);
