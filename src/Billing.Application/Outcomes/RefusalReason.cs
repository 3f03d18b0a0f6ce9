namespace Billing.Application.Outcomes;

/// <summary>The account-state reasons a billing use case refuses a valid request.</summary>
public enum RefusalReason
{
    /// <summary>A paid subscription is live: changes go through the customer portal, not a new Checkout.</summary>
    SubscriptionLive = 1,

    /// <summary>The account has no Stripe customer yet (it never started a Checkout), so there is no portal to open.</summary>
    NoStripeCustomer = 2,

    /// <summary>The account had its one trial (app-side or through Checkout), whether it ended or was cancelled.</summary>
    TrialAlreadyUsed = 3,

    /// <summary>The catalog has no trial plan.</summary>
    TrialNotOffered = 4,

    /// <summary>The request names an account that was never registered.</summary>
    AccountNotFound = 5,

    /// <summary>The usage or allocation would pass the hard limit of the account's plan; nothing was recorded.</summary>
    QuotaExceeded = 6,

    /// <summary>An idempotency key was used before for a different meter or quantity.</summary>
    IdempotencyKeyReused = 7,

    /// <summary>Another call with the same idempotency key is still being recorded; retry shortly.</summary>
    UsageInProgress = 8,

    /// <summary>The usage period asked for has not closed yet, so it cannot be invoiced.</summary>
    PeriodNotClosed = 9,

    /// <summary>A credit adjustment would take more than the account's spendable credit.</summary>
    InsufficientCredit = 10,

    /// <summary>A meter's counter for the period would pass 2^53 - 1 units (the most the store counts exactly); nothing was recorded.</summary>
    CounterFull = 11,

    /// <summary>The store did not take a record of a batch (throttled, unreachable, busy): nothing was counted for it; send it again.</summary>
    UsageNotCounted = 12,

    /// <summary>The add-on raises a meter the account's plan puts no limit on: bought now, it would change nothing.</summary>
    AddOnNotApplicable = 13,

    /// <summary>
    /// The plan's catalog price for the interval is known, from Stripe's prices last read, to disagree with the catalog
    /// (not on sale, billed at another interval, or in another currency than the plan's): not sold until it is fixed.
    /// </summary>
    PlanNotSold = 14,

    /// <summary>An operator's re-sync found the account's Stripe customer linked to another account; nothing was changed.</summary>
    CustomerLinkedToOtherAccount = 15,

    /// <summary>An operator asked for an invoicing run, by its id or its Stripe invoice, that does not exist.</summary>
    InvoiceRunNotFound = 16,
}
