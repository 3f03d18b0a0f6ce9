using Billing.Domain.Accounts;

namespace Billing.Application.Subscriptions;

/// <summary>The outcome of a subscription sync and the account as stored afterwards (null when nothing was read or written).</summary>
public sealed record SubscriptionSyncResult(SubscriptionSyncOutcome Outcome, BillingAccount? Account)
{
    /// <summary>The account reflects Stripe's state (it was applied now, or before).</summary>
    public bool IsInEffect => Outcome is SubscriptionSyncOutcome.Applied or SubscriptionSyncOutcome.AlreadyCurrent or SubscriptionSyncOutcome.NewerStateKept
        or SubscriptionSyncOutcome.DuplicateResolved or SubscriptionSyncOutcome.EndedNotFoundInStripe;

    /// <summary>A short explanation for the event record and logs.</summary>
    public string Describe(string subscriptionId) => Outcome switch
    {
        SubscriptionSyncOutcome.Applied => $"Subscription {subscriptionId} applied.",
        SubscriptionSyncOutcome.AlreadyCurrent => $"Subscription {subscriptionId} was already reflected.",
        SubscriptionSyncOutcome.NewerStateKept => $"The account already reflects a newer read of subscription {subscriptionId}.",
        SubscriptionSyncOutcome.NotFoundInStripe => $"Stripe does not know subscription {subscriptionId}; it is not the account's live subscription, nothing changed.",
        SubscriptionSyncOutcome.CustomerMismatch => $"Subscription {subscriptionId} belongs to another Stripe customer than the account's ({Account?.StripeCustomerId}).",
        SubscriptionSyncOutcome.SupersededByCurrent => $"Subscription {subscriptionId} does not outrank the account's current subscription {Account?.Subscription?.SubscriptionId}.",
        SubscriptionSyncOutcome.ConflictsWithLiveSubscription => $"Subscription {subscriptionId} and the account's subscription {Account?.Subscription?.SubscriptionId} are both live in Stripe; cancel one, then re-sync the account.",
        SubscriptionSyncOutcome.DuplicateResolved => $"A second live subscription of the account was canceled and refunded; the account keeps {Account?.Subscription?.SubscriptionId} (event about {subscriptionId}).",
        SubscriptionSyncOutcome.EndedNotFoundInStripe => $"Stripe has no subscription {subscriptionId} (404), the account's live one: ended as a deletion is; the account falls back without it.",
        SubscriptionSyncOutcome.CustomerUnknownInStripe => $"Stripe has neither subscription {subscriptionId} nor the account's customer {Account?.StripeCustomerId ?? Account?.Subscription?.CustomerId} (404): the Stripe key is probably of another Stripe account or mode; nothing changed.",
        _ => Outcome.ToString(),
    };
}

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
