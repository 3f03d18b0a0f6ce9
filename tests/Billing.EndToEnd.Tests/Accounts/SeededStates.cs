using Billing.Domain.Accounts;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>
/// Account states that Stripe webhooks (another issue) would store, seeded directly through the app's Cosmos store.
/// Prices are the development catalog's (appsettings.Development.json), which match the emulator's seeded prices.
/// </summary>
internal static class SeededStates
{
    public static BillingAccount Subscribed(
        BillingAccount account,
        SubscriptionStatus status,
        DateTimeOffset periodStart,
        string planCode = "PRO",
        BillingInterval interval = BillingInterval.Month,
        bool cancelAtPeriodEnd = false,
        DateTimeOffset? trialStart = null,
        DateTimeOffset? endedAt = null)
    {
        var customerId = account.StripeCustomerId ?? "cus_seeded" + Guid.NewGuid().ToString("N")[..10];
        var priceId = $"price_{planCode.ToLowerInvariant()}_{(interval == BillingInterval.Month ? "monthly" : "yearly")}";
        return account with
        {
            StripeCustomerId = customerId,
            TrialUsedAt = account.TrialUsedAt ?? trialStart,
            Subscription = new SubscriptionState
            {
                SubscriptionId = "sub_seeded" + Guid.NewGuid().ToString("N")[..10],
                CustomerId = customerId,
                Status = status,
                PlanCode = PlanCode.Parse(planCode),
                PriceId = priceId,
                Interval = interval,
                CurrentPeriodStart = periodStart,
                CurrentPeriodEnd = interval.Advance(periodStart, 1),
                CancelAtPeriodEnd = cancelAtPeriodEnd,
                TrialStart = trialStart,
                TrialEnd = trialStart?.AddDays(14),
                CanceledAt = endedAt,
                EndedAt = endedAt,
                StripeStateAsOf = DateTimeOffset.UtcNow,
            },
        };
    }

    /// <summary>An app-side trial that began <paramref name="startedAgo"/> ago and lasted <paramref name="days"/> days.</summary>
    public static BillingAccount WithPastLocalTrial(BillingAccount account, TimeSpan startedAgo, int days = 14)
    {
        var start = DateTimeOffset.UtcNow - startedAgo;
        return account with
        {
            TrialUsedAt = start,
            LocalTrial = new LocalTrial { PlanCode = PlanCode.Parse("TRIAL"), StartedAt = start, EndsAt = start.AddDays(days) },
        };
    }
}
