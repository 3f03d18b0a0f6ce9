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
