using Billing.Domain.Accounts;

namespace Billing.Application.Subscriptions;

/// <summary>What a re-sync found and did; <see cref="Account"/> is the account as stored afterwards.</summary>
public sealed record AccountResyncResult(
    AccountResyncOutcome Outcome,
    BillingAccount? Account,
    string? CustomerId,
    IReadOnlyList<SubscriptionResyncStep> Steps);

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

/// <summary>One subscription a re-sync applied, and what that did.</summary>
public sealed record SubscriptionResyncStep(string SubscriptionId, SubscriptionSyncOutcome Outcome);
