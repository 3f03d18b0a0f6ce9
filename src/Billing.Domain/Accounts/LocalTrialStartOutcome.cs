namespace Billing.Domain.Accounts;

/// <summary>What <see cref="BillingAccount.StartLocalTrial"/> decided.</summary>
public enum LocalTrialStartOutcome
{
    Started = 0,

    /// <summary>The account had a trial before (app-side or through Checkout); one per account, ever.</summary>
    AlreadyUsed = 1,

    /// <summary>The account has a live subscription.</summary>
    SubscriptionLive = 2,

    /// <summary>The catalog has no trial plan.</summary>
    TrialNotOffered = 3,
}
