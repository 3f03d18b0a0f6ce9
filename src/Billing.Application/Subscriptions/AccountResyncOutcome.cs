namespace Billing.Application.Subscriptions;

public enum AccountResyncOutcome
{
    /// <summary>The account was brought in line with the customer's subscriptions in Stripe.</summary>
    Synced = 0,

    /// <summary>No such billing account.</summary>
    AccountNotFound = 1,

    /// <summary>The account has no Stripe customer and none names it in its metadata: nothing to sync.</summary>
    NoStripeCustomer = 2,

    /// <summary>The Stripe customer found for the account is linked to another account; nothing was changed.</summary>
    CustomerLinkedToOtherAccount = 3,
}
