using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.Application.Checkout;

/// <summary>Pure rules of who may start a Checkout and whether it carries a trial.</summary>
public static class CheckoutEligibility
{
    /// <summary>
    /// True while the account's subscription still stands in Stripe: any live status (active, trialing, past_due,
    /// unpaid, paused, or one Stripe adds later) except <c>incomplete</c> (a first payment that never went through; it
    /// grants nothing and Stripe expires it), and not past a scheduled cancellation. A new Checkout then would create a
    /// second subscription; plan changes, payment fixes and resuming belong to the customer portal.
    /// </summary>
    public static bool HasStandingSubscription(BillingAccount account, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (account.Subscription is not { IsLive: true } subscription || subscription.Status == SubscriptionStatus.Incomplete)
        {
            return false;
        }

        return subscription.CancelsAt is not { } end || now < end;
    }

    /// <summary>The plan's Checkout trial when it has one and the account never had a trial (app-side or Stripe); else null.</summary>
    public static int? TrialDaysFor(Plan plan, BillingAccount account)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(account);
        return plan.TrialDays > 0 && account.TrialUsedAt is null ? plan.TrialDays : null;
    }
}
