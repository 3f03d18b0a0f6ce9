using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Domain.Subscriptions;

/// <summary>The account after applying a snapshot (unchanged unless <see cref="Outcome"/> is Applied).</summary>
public sealed record SubscriptionSnapshotResult(SubscriptionSnapshotOutcome Outcome, BillingAccount Account)
{
    public bool Changed => Outcome == SubscriptionSnapshotOutcome.Applied;

    /// <summary>
    /// The usage period this snapshot ended before the end its usage was counted with (the subscription ended at once,
    /// or its billing period restarted early), with its real end: its counters and closing-day entry move to that end,
    /// so it is invoiced the day after with the dates it really ran. Null when no period ends early (a renewal ends one
    /// exactly where it was counted to end).
    /// </summary>
    public UsagePeriod? EndedEarly { get; init; }
}
