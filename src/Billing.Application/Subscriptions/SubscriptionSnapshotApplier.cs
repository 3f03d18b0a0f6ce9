using Billing.Application.Accounts;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Microsoft.Extensions.Options;

namespace Billing.Application.Subscriptions;

/// <summary>
/// Applies a Stripe subscription snapshot to a stored account with optimistic concurrency. A snapshot that ends a usage
/// period early (the subscription ended at once, or its billing period restarted) moves that period's end in the usage
/// ledger to the real one (<see cref="SubscriptionSnapshotResult.EndedEarly"/>), so the period is invoiced the day after
/// with the dates it ran, not weeks later at the end its usage was counted with. The stored state records that end
/// (<see cref="SubscriptionState.PeriodEndedEarly"/>): the same state delivered again moves it again, with the version
/// stored, in case the delivery that stored it stopped before its last move. A snapshot that changes the account
/// records, for every meter the account has add-ons on, what the current period now includes (<see cref="IncludedUnits"/>),
/// as a purchase or a refund does, and so does the same snapshot delivered again (<see cref="SubscriptionSnapshotOutcome.Duplicate"/>),
/// in case the delivery that changed the account failed before its refresh: a subscription whose payment recovers after its grace period ended makes its period
/// current again, and an add-on bought or refunded meanwhile (while the free plan's month was current, whose refresh
/// did not reach it) would otherwise be shown by the usage view and the upcoming invoice and not be on the invoice.
/// </summary>
public sealed class SubscriptionSnapshotApplier(IBillingAccountStore accounts, IUsageLedger usage, IncludedUnits included, PlanCatalog catalog, IOptions<SubscriptionSyncOptions> options, TimeProvider time)
{
    private readonly TimeSpan _clockSkew = options.Value.ClockSkew;

    /// <returns>The decision taken on the freshest account state, and the account as stored afterwards.</returns>
    public async Task<SubscriptionSnapshotResult> ApplyAsync(AccountId accountId, SubscriptionSnapshot snapshot, CancellationToken cancellationToken) =>
        await ApplyAsync(accountId, snapshot, await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// As <see cref="ApplyAsync(AccountId, SubscriptionSnapshot, CancellationToken)"/>, with the account as the caller
    /// has just read it (<paramref name="read"/>) instead of a read of its own: the early end it decides on, and the
    /// version it stamps, are those of an account read at the latest now; a write that lands after it is met by the
    /// update (which decides on the stored account) and the end moved again with the version stored.
    /// </summary>
    public async Task<SubscriptionSnapshotResult> ApplyAsync(AccountId accountId, SubscriptionSnapshot snapshot, BillingAccount? read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);

        // The period is moved before the account is stored: once stored, a redelivery of the event no longer ends it,
        // and a failure in between would leave the period at its old end. Moving it is safe to repeat, and right
        // whatever the account's update then decides: the end comes from Stripe's own facts about this subscription.
        // The counters remember the version the account is stored as at the earliest, so an invoice job holding an
        // older one cannot move the end back later (PeriodEndMove).
        var early = read?.ApplySubscriptionSnapshot(snapshot, catalog, _clockSkew).EndedEarly;
        var storedAtTheEarliest = (read?.Version ?? 0) + 1;
        if (early is not null)
        {
            await usage.MovePeriodEndAsync(accountId, early.Key, PeriodEndMove.Ended(early.End, storedAtTheEarliest), cancellationToken).ConfigureAwait(false);
        }

        SubscriptionSnapshotResult? decision = null;
        var stored = await accounts.UpdateAsync(
            accountId,
            account =>
            {
                decision = account.ApplySubscriptionSnapshot(snapshot, catalog, _clockSkew);
                return decision.Changed ? decision.Account : null;
            },
            cancellationToken).ConfigureAwait(false);

        // Again with the version stored when the first read was out of date, or when other writes landed before this one:
        // a job may have read one of those and moved the end back meanwhile, and its version must not pass the stamp.
        // The end is the one the stored state records (SubscriptionState.PeriodEndedEarly): this decision's, or, on a
        // redelivery of that state (a Duplicate, or the same state read again), the end the delivery that stored it
        // decided on, which may have stopped before this move (the decision finds nothing left to end then).
        var recorded = decision!.Outcome is SubscriptionSnapshotOutcome.Applied or SubscriptionSnapshotOutcome.Duplicate && stored.Subscription?.SubscriptionId == snapshot.SubscriptionId
            ? stored.Subscription.PeriodEndedEarly
            : null;
        if (recorded is { } ended && (ended != early || stored.Version != storedAtTheEarliest))
        {
            await usage.MovePeriodEndAsync(accountId, ended.Key, PeriodEndMove.Ended(ended.End, stored.Version), cancellationToken).ConfigureAwait(false);
        }

        // Also on a Duplicate: the same snapshot delivered again, after a delivery that stored the account and then failed
        // before (or while) recording the included units, which nothing would record otherwise (as a purchase's redelivery
        // does). The refresh writes nothing when the counters already record them.
        if (decision.Changed || decision.Outcome == SubscriptionSnapshotOutcome.Duplicate)
        {
            var now = time.GetUtcNow();
            foreach (var meter in stored.AddOns.Select(a => a.Meter).Distinct())
            {
                await included.RefreshAsync(stored, meter, now, cancellationToken).ConfigureAwait(false);
            }
        }

        return decision with { Account = stored };
    }
}
