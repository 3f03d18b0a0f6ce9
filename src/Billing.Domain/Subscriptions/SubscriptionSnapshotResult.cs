using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Domain.Subscriptions;

/// <summary>The account after applying a snapshot (unchanged unless <see cref="Outcome"/> is Applied).</summary>
public sealed record SubscriptionSnapshotResult(SubscriptionSnapshotOutcome Outcome, BillingAccount Account)
{
    public bool Changed => Outcome == SubscriptionSnapshotOutcome.Applied;

    /// <summary>
    /// A usage period of the subscription that this snapshot closed (the period advanced, or the subscription ended):
    /// the trigger for invoicing that period's overage. Null otherwise.
    /// </summary>
    public UsagePeriod? ClosedPeriod { get; init; }
}
