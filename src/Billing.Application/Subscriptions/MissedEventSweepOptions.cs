namespace Billing.Application.Subscriptions;

/// <summary>The missed-event sweep (section <c>Billing:MissedEventSweep</c>).</summary>
public sealed class MissedEventSweepOptions
{
    public const string SectionName = "Billing:MissedEventSweep";

    public const int MaxBatchSize = 1_000;

    /// <summary>How long after an account's renewsBy Stripe's events may still be on their way (renewal invoices finalize about an hour after the period ends).</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromHours(2);

    /// <summary>At most this many accounts are read from Stripe per run; the rest wait for the next run.</summary>
    public int BatchSize { get; set; } = 100;
}
