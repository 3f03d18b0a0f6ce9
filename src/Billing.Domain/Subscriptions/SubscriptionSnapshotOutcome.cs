namespace Billing.Domain.Subscriptions;

/// <summary>What applying a <see cref="SubscriptionSnapshot"/> did.</summary>
public enum SubscriptionSnapshotOutcome
{
    /// <summary>The account now reflects the snapshot.</summary>
    Applied = 0,

    /// <summary>
    /// The account already reflects this snapshot's content, dated within the clock skew of it (or read after it): an
    /// idempotent no-op.
    /// </summary>
    Duplicate = 1,

    /// <summary>The snapshot is older than what the account reflects by more than the clock skew; ignored.</summary>
    Stale = 2,

    /// <summary>
    /// Different content dated within the clock skew of the account's state (two instances' clocks differ by up to
    /// that much): the order cannot be told, nothing was changed. Read the subscription from Stripe again and apply
    /// that read as <see cref="SubscriptionSnapshot.ReadAfter"/> the account's state.
    /// </summary>
    SameInstantConflict = 3,

    /// <summary>The snapshot's customer is not the account's Stripe customer; ignored.</summary>
    CustomerMismatch = 4,

    /// <summary>The snapshot is about another subscription that does not outrank the current one (e.g. an old, canceled one); ignored.</summary>
    SupersededByCurrent = 5,

    /// <summary>
    /// The snapshot is about another subscription while the current one may still grant access: both claim the
    /// account, nothing was changed. Reconcile by fetching both subscriptions from Stripe (cancel a duplicate).
    /// </summary>
    ConflictsWithLiveSubscription = 6,
}
