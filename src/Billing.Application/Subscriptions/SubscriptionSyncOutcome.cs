namespace Billing.Application.Subscriptions;

/// <summary>What synchronising an account with a subscription Stripe holds did.</summary>
public enum SubscriptionSyncOutcome
{
    /// <summary>The account now reflects the subscription as Stripe has it.</summary>
    Applied = 0,

    /// <summary>The account already reflected exactly this state.</summary>
    AlreadyCurrent = 1,

    /// <summary>The account already reflects a newer read of Stripe (a concurrent worker got there first).</summary>
    NewerStateKept = 2,

    /// <summary>Stripe does not know the subscription, and it is not the account's live one: nothing changed.</summary>
    NotFoundInStripe = 3,

    /// <summary>The subscription belongs to another Stripe customer than the account's.</summary>
    CustomerMismatch = 4,

    /// <summary>The subscription does not outrank the account's current one (e.g. an old, canceled one).</summary>
    SupersededByCurrent = 5,

    /// <summary>
    /// Stripe has two subscriptions that may both grant access for the account and the conflict could not be settled
    /// (one of them vanished from Stripe meanwhile); the current one is kept.
    /// </summary>
    ConflictsWithLiveSubscription = 6,

    /// <summary>
    /// Stripe had a second live subscription for the account: the newer one was canceled at once and its payment
    /// refunded in full (recorded on the account); the account reflects the one kept.
    /// </summary>
    DuplicateResolved = 7,

    /// <summary>
    /// Stripe answered that it has no such subscription (404 <c>resource_missing</c>: its test data deleted, the key now of
    /// another Stripe account) and it was the account's live one: the account applied it as ended, the way it applies a
    /// deletion's read (<see cref="Domain.Subscriptions.SubscriptionSnapshot.NoLongerInStripe"/>), and falls back to a
    /// running local trial, else the free plan; it is no longer due for the missed-event sweep.
    /// </summary>
    EndedNotFoundInStripe = 8,

    /// <summary>
    /// Stripe answered that it has no such subscription for the account's live one, and no such customer either (404
    /// <c>resource_missing</c> for the subscription's customer, which Stripe answers even once deleted): the secret key is
    /// most likely of another Stripe account or mode, which answers so for every id. Nothing changed (an error is
    /// logged); the account stays due for the missed-event sweep, which counts it as failed.
    /// </summary>
    CustomerUnknownInStripe = 9,
}
