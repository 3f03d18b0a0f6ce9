namespace Billing.Application.Subscriptions;

/// <summary>The missed-event sweep (section <c>Billing:MissedEventSweep</c>).</summary>
public sealed class MissedEventSweepOptions
{
    public const string SectionName = "Billing:MissedEventSweep";

    public const int MaxBatchSize = 1_000;

    public const int MaxParallelism = 16;

    /// <summary>
    /// host.json's <c>functionTimeout</c>: the host stops a run that takes longer, before it writes the position of the
    /// batch it was in. Kept equal to host.json by a test (tests/Billing.Infra.Tests).
    /// </summary>
    public static readonly TimeSpan FunctionTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// What <see cref="TimeBudget"/> must leave of <see cref="FunctionTimeout"/> at least: room for a batch slower than
    /// the run's earlier ones and for writing its position.
    /// </summary>
    public static readonly TimeSpan MinTimeoutMargin = TimeSpan.FromSeconds(30);

    /// <summary>How long after an account's renewsBy Stripe's events may still be on their way (renewal invoices finalize about an hour after the period ends).</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromHours(2);

    /// <summary>At most this many accounts are listed (and read from Stripe) per batch; the position is written after each batch.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How long one run goes on starting batches: a new batch starts only if the time spent so far plus the run's
    /// longest batch fits in it. Positive, and at most <see cref="FunctionTimeout"/> less <see cref="MinTimeoutMargin"/>.
    /// </summary>
    public TimeSpan TimeBudget { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>
    /// How many accounts of a batch are synced at a time (1 to <see cref="MaxParallelism"/>). Every Stripe request still
    /// draws from the process's one request budget (<c>Stripe:RequestsPerSecond</c>), so this only overlaps the waits.
    /// </summary>
    public int Parallelism { get; set; } = 4;
}
