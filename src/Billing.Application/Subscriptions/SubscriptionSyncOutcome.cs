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

    /// <summary>Stripe does not know the subscription.</summary>
    NotFoundInStripe = 3,

    /// <summary>The subscription belongs to another Stripe customer than the account's.</summary>
    CustomerMismatch = 4,

    /// <summary>The subscription does not outrank the account's current one (e.g. an old, canceled one).</summary>
    SupersededByCurrent = 5,

    /// <summary>
    /// Stripe has two subscriptions that may both grant access for the account; the current one is kept and the
    /// conflict needs an operator (cancel one in Stripe, then re-sync the account).
    /// </summary>
    ConflictsWithLiveSubscription = 6,
}
