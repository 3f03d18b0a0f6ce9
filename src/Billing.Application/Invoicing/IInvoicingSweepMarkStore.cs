namespace Billing.Application.Invoicing;

/// <summary>
/// How far the <c>MonthlyInvoicing</c> timer's sweep has read for certain, kept outside the process (every run may
/// start in a fresh process on any instance, and the host's own record of the timer counts a failed run as run): one
/// small record, read at the start of a run and moved forward only by a run that read every closing day of its range
/// and queued every job.
/// </summary>
public interface IInvoicingSweepMarkStore
{
    /// <summary>The stored mark, or null when no run has succeeded yet (a new deployment: the next run reads its window only).</summary>
    Task<StoredInvoicingSweepMark?> GetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Moves the mark forward to <paramref name="readAgainFrom"/>, stamped with the current time, never back: a stored
    /// mark at that day or later (another instance's run wrote first) is kept, and so is one a newer version wrote.
    /// Safe against concurrent runs (optimistic concurrency; a conflict reads again and compares).
    /// </summary>
    Task MoveForwardAsync(DateOnly readAgainFrom, CancellationToken cancellationToken);
}

/// <summary>
/// The sweep's mark as stored: every closing day before <see cref="ReadAgainFrom"/> (UTC) was read by a successful run
/// after its periods had settled, and their jobs queued; the next run reads again from that day (its periods settled
/// later in the day were not queued yet). <see cref="WrittenAt"/>: when a run wrote it.
/// </summary>
public sealed record StoredInvoicingSweepMark(DateOnly ReadAgainFrom, DateTimeOffset WrittenAt);
