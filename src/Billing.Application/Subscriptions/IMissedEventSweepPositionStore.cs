using Billing.Application.Accounts;

namespace Billing.Application.Subscriptions;

/// <summary>
/// Where the missed-event sweep goes on, kept outside the process: each timer run may start in a fresh process on
/// any instance, so a position held in memory would make every run list the same most recently due accounts. One
/// small record, read at the start of a run and written after each batch it finished, with optimistic concurrency.
/// </summary>
public interface IMissedEventSweepPositionStore
{
    /// <summary>The stored position, or null when no run has written one yet (the next run starts at the top).</summary>
    Task<StoredSweepPosition?> GetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates the position (<paramref name="etag"/> null) or replaces it if it still has <paramref name="etag"/>,
    /// stamped with the current time. Returns the new token (the run's next write passes it), or null when another run
    /// wrote it first (nothing written).
    /// </summary>
    Task<string?> TryWriteAsync(RenewalOverdue? after, string? etag, CancellationToken cancellationToken);
}

/// <summary>
/// The sweep's position as stored: <see cref="After"/> is the last account of the last full batch a run finished, so the next batch lists the
/// accounts strictly after it in the query's order (renewsBy, then account id, both descending); null: the next run
/// starts again with the most recently due. <see cref="WrittenAt"/>: when a run wrote it.
/// </summary>
public sealed record StoredSweepPosition(RenewalOverdue? After, DateTimeOffset WrittenAt, string ETag);
